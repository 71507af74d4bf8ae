// JSON request bodies and socket event data: JsonReader and the readers built on it
// (a message to send, a call signal, a sign-in's device, a push registration), every
// field type read from the same input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/call_request.hpp"
#include "wire/device_json.hpp"
#include "wire/json_reader.hpp"
#include "wire/message_request.hpp"

using flow::wire::JsonReader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    {
        JsonReader in(body);
        (void)in.string("name", 64);
        (void)in.optional_string("about", 140);
        (void)in.nullable_string("photo_media_id", 64);
        (void)in.string_array("member_ids");
        (void)in.boolean("muted");
        (void)in.optional_boolean("video");
        (void)in.integer("seq");
        (void)in.json_text("payload", 64 * 1024);
        if (in.error() && in.error()->code.empty()) std::abort();
    }
    {
        JsonReader in(body);
        (void)flow::wire::read_new_message(in);
    }
    {
        JsonReader in(body);
        (void)flow::wire::read_call_signal(in);
    }
    {
        JsonReader in(body);
        (void)flow::wire::read_device_info(in);
    }
    (void)flow::wire::read_push_registration(body);
    return 0;
}
