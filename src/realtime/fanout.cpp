#include "realtime/fanout.hpp"

#include <spdlog/spdlog.h>

#include "wire/encoded_delivery.hpp"

namespace flow::realtime {

Fanout::Fanout(Hub& hub, NodeLink* link) : hub_(hub), link_(link) {
    if (!link_) return;
    link_->start({[this](std::string_view bytes) { receive(bytes); },
                  [this] {
                      spdlog::info("the link between nodes is back after an outage; closing sockets so that "
                                   "devices catch up");
                      hub_.close_all();
                  }});
}

void Fanout::publish(Delivery delivery) {
    const auto encoded = wire::encode(delivery);
    hub_.deliver(encoded);
    if (link_) link_->send(wire::to_envelope(encoded));
}

void Fanout::receive(std::string_view envelope) {
    const auto delivery = wire::from_envelope(envelope);
    if (!delivery) {
        spdlog::warn("dropped a malformed delivery from another node");
        return;
    }
    hub_.deliver(*delivery);
}

}  // namespace flow::realtime
