#pragma once

#include "http/router.hpp"
#include "service/block_service.hpp"

namespace flow::http {

// POST and DELETE /users/{user_id}/block, GET /users/blocked.
void add_block_routes(Router& router, BlockService& blocks);

}  // namespace flow::http
