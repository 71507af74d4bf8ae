#pragma once

#include <memory>

#include "app/config.hpp"
#include "push/crypto/signing_key.hpp"
#include "push/push_dispatcher.hpp"

namespace flow::app {

// The server's VAPID key: the --vapid-private-key file, else vapid_private_key.pem in the
// data dir, made on first start. Throws std::runtime_error for a file that holds no
// P-256 key.
push::SigningKey load_vapid_key(const Config& config);

// The push dispatcher for a Config: Web Push (under `vapid_key`) and UnifiedPush always,
// FCM and APNs when their credentials are given. Throws std::runtime_error for
// credentials that cannot be used, so that flowd does not start half configured.
std::unique_ptr<push::PushDispatcher> make_push(const Config& config, const push::SigningKey& vapid_key,
                                                push::PushDispatcher::Stores stores, Metrics& metrics,
                                                const Clock& clock);

}  // namespace flow::app
