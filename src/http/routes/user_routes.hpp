#pragma once

#include "http/router.hpp"
#include "service/account_service.hpp"
#include "service/user_service.hpp"

namespace flow::http {

// /users/*: profiles and contact discovery.
void add_user_routes(Router& router, UserService& users, AccountService& accounts);

}  // namespace flow::http
