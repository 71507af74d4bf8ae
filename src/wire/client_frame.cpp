#include "wire/client_frame.hpp"

#include <boost/json/parse.hpp>

namespace flow::wire {

Result<ClientFrame> read_client_frame(std::string_view text) {
    boost::system::error_code ec;
    auto frame = boost::json::parse(text, ec);
    const auto* object = ec ? nullptr : frame.if_object();
    const auto* event = object ? object->if_contains("event") : nullptr;
    if (!event || !event->is_string())
        return Error::invalid("invalid_frame", "a frame is a JSON object {\"event\", \"data\", \"ack\"?}");
    ClientFrame out{std::string(event->as_string()), boost::json::object{}, std::nullopt};
    if (const auto* data = object->if_contains("data")) out.data = *data;
    if (const auto* ack = object->if_contains("ack")) out.ack = *ack;
    return out;
}

}  // namespace flow::wire
