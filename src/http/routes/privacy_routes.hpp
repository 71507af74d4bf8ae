#pragma once

#include "http/router.hpp"
#include "service/privacy_service.hpp"

namespace flow::http {

// /users/me/privacy: the caller's own privacy settings.
void add_privacy_routes(Router& router, PrivacyService& privacy);

}  // namespace flow::http
