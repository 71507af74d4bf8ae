#pragma once

#include "bus/event_bus.hpp"
#include "service/auth_service.hpp"
#include "service/chat_service.hpp"
#include "service/media_service.hpp"
#include "storage/device_store.hpp"
#include "storage/story_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// Deleting an account. Blocking (storage): call it on the blocking pool. Thread-safe.
class AccountService {
public:
    AccountService(UserStore& users, DeviceStore& devices, StoryStore& stories, ChatService& chats,
                   MediaService& media, EventBus& bus)
        : users_(users), devices_(devices), stories_(stories), chats_(chats), media_(media), bus_(bus) {}

    // The caller's account goes: it leaves every chat (the others keep the messages it
    // sent, from a user with no name, picture or number), its stories go, its profile is
    // erased and its phone freed to sign up again as a new user, every token of it dies
    // and its sockets close on every node, and the uploads nobody else could see are
    // deleted from the media store.
    void delete_account(const Caller& caller);

private:
    UserStore& users_;
    DeviceStore& devices_;
    StoryStore& stories_;
    ChatService& chats_;
    MediaService& media_;
    EventBus& bus_;
};

}  // namespace flow
