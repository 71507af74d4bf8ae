#include "domain/device.hpp"

#include <array>

namespace flow {

namespace {

constexpr std::array<std::string_view, 5> kPlatformNames = {"web", "android", "ios", "desktop", "other"};
constexpr std::array<std::string_view, 4> kPushKindNames = {"webpush", "fcm", "apns", "unifiedpush"};

template <class Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<Enum>(i);
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Platform platform) { return kPlatformNames[static_cast<std::size_t>(platform)]; }
std::optional<Platform> platform_from(std::string_view name) { return find_name<Platform>(kPlatformNames, name); }

std::string_view to_string(PushKind kind) { return kPushKindNames[static_cast<std::size_t>(kind)]; }
std::optional<PushKind> push_kind_from(std::string_view name) { return find_name<PushKind>(kPushKindNames, name); }

}  // namespace flow
