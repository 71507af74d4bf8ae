// A device's push registration, PUT /devices/current/push: read, then checked as a push
// service would check it (https URLs, base64url keys, a point on P-256, token shapes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "push/registration_check.hpp"
#include "wire/device_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto registration = flow::wire::read_push_registration(std::string_view(reinterpret_cast<const char*>(data), size));
    if (registration) (void)flow::push::check_registration(*registration);
    return 0;
}
