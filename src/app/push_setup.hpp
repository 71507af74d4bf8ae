#pragma once

#include <memory>

#include "app/config.hpp"
#include "push/crypto/signing_key.hpp"
#include "push/push_dispatcher.hpp"

namespace flow::app {

// The private key in a PEM file; throws std::runtime_error for one that holds none.
push::SigningKey signing_key_from(const std::string& path);

// The push dispatcher for a Config: Web Push (under `vapid_key`) and UnifiedPush always,
// FCM and APNs when their credentials are given. Throws std::runtime_error for
// credentials that cannot be used, so that flowd does not start half configured.
std::unique_ptr<push::PushDispatcher> make_push(const Config& config, const push::SigningKey& vapid_key,
                                                push::PushDispatcher::Stores stores, Metrics& metrics,
                                                const Clock& clock);

}  // namespace flow::app
