#include "service/account_service.hpp"

namespace flow {

void AccountService::delete_account(const Caller& caller) {
    const auto& user_id = caller.user_id;
    const auto devices = devices_.devices_of(user_id);
    // Tokens first: from here on nothing more can be done in the account's name.
    devices_.remove_all(user_id);
    chats_.leave_all(user_id);
    stories_.remove_all_of(user_id);
    users_.erase(user_id);
    for (const auto& device : devices) bus_.publish({{user_id}, "", event::SessionEnded{device.id}, ""});
    // Its profile picture and stories' media are used by nothing now either.
    media_.remove_unused_of(user_id);
}

}  // namespace flow
