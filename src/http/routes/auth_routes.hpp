#pragma once

#include "http/router.hpp"
#include "service/auth_service.hpp"
#include "service/user_service.hpp"

namespace flow::http {

// /auth/*: sign-in with a code, profile registration and change, logout.
void add_auth_routes(Router& router, AuthService& auth, UserService& users);

}  // namespace flow::http
