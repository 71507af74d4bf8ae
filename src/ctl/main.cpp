// flowctl: the operator's tool, over the same stores as flowd (see README, "flowctl").
// Prints one JSON document on stdout; a problem on stderr, with exit 1 (not found,
// refused, a store that fails) or 2 (bad usage).
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "app/config.hpp"
#include "app/setting_files.hpp"
#include "common/build_info.hpp"
#include "ctl/admin_tool.hpp"
#include "ctl/output.hpp"

namespace {

namespace json = boost::json;
using flow::Result;
using flow::ctl::AdminTool;

// A command: what it does with the tool, and its answer.
using Command = std::function<Result<json::value>(AdminTool&)>;

// What a change answers: `fields`, once it succeeded.
Result<json::value> done(const flow::Status& status, json::object fields) {
    if (!status) return status.error();
    return json::value(std::move(fields));
}

int fail(const flow::Error& error) {
    std::fprintf(stderr, "flowctl: %s\n", error.message.c_str());
    return error.kind == flow::ErrorKind::invalid_argument ? 2 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    flow::app::Config config;
    CLI::App cli{"flowctl: administers a Flow service through its stores, while flowd runs or not. Give it the "
                 "store settings flowd has (flags or FLOW_* variables). Prints JSON."};
    cli.get_formatter()->column_width(40);
    const auto& build = flow::build_info();
    cli.set_version_flag("--version", fmt::format("flowctl {} ({}, {})", build.version, build.commit, build.build_type));
    cli.require_subcommand(0, 1);  // none is said below, as CLI11 would not name what came instead
    cli.fallthrough();  // the store settings may come after the command too
    flow::app::add_store_options(cli, config);

    Command command;
    std::string user_id, device_id, media_id, report_id, phone;

    auto* user = cli.add_subcommand("user", "users")->require_subcommand(1);
    auto* find = user->add_subcommand("find", "a user by phone or id: profile, ban, devices signed in");
    auto* by_phone = find->add_option("--phone", phone, "the phone number, in international notation");
    find->add_option("--id", user_id, "the user's id")->excludes(by_phone);
    find->require_option(1);
    find->callback([&] {
        command = [&](AdminTool& tool) -> Result<json::value> {
            auto record = phone.empty() ? tool.admin().find_user(user_id) : tool.admin().find_by_phone(phone);
            if (!record) return record.error();
            return json::value(flow::ctl::to_json(*record));
        };
    });

    auto* devices = cli.add_subcommand("devices", "a user's devices (signed-in tokens)")->require_subcommand(1);
    auto* list = devices->add_subcommand("list", "the user's devices, oldest first");
    list->add_option("USER_ID", user_id, "the user's id")->required();
    list->callback([&] {
        command = [&](AdminTool& tool) -> Result<json::value> {
            auto found = tool.admin().devices(user_id);
            if (!found) return found.error();
            json::array items;
            for (const auto& device : *found) items.push_back(flow::ctl::to_json(device));
            return json::value(json::object{{"user_id", user_id}, {"items", std::move(items)}});
        };
    });
    auto* revoke = devices->add_subcommand("revoke", "signs one device out: its token dies, its sockets close");
    revoke->add_option("USER_ID", user_id, "the user's id")->required();
    revoke->add_option("DEVICE_ID", device_id, "the device's id (devices list)")->required();
    revoke->callback([&] {
        command = [&](AdminTool& tool) {
            return done(tool.admin().revoke_device(user_id, device_id), {{"user_id", user_id}, {"revoked", device_id}});
        };
    });

    auto* ban = cli.add_subcommand("ban", "signs every device of the user out and refuses their sign-in (403 banned)");
    ban->add_option("USER_ID", user_id, "the user's id")->required();
    ban->callback([&] {
        command = [&](AdminTool& tool) -> Result<json::value> {
            auto ended = tool.admin().ban(user_id);
            if (!ended) return ended.error();
            return json::value(json::object{{"user_id", user_id},
                                            {"banned", true},
                                            {"devices_signed_out", static_cast<std::int64_t>(ended->size())}});
        };
    });
    auto* unban = cli.add_subcommand("unban", "lets a banned user sign in again");
    unban->add_option("USER_ID", user_id, "the user's id")->required();
    unban->callback([&] {
        command = [&](AdminTool& tool) {
            return done(tool.admin().unban(user_id), {{"user_id", user_id}, {"banned", false}});
        };
    });

    auto* remove = cli.add_subcommand("delete-account", "deletes the account, as the user would (DELETE /users/me)");
    remove->add_option("USER_ID", user_id, "the user's id")->required();
    remove->callback([&] {
        command = [&](AdminTool& tool) {
            return done(tool.admin().delete_account(user_id), {{"user_id", user_id}, {"deleted", true}});
        };
    });

    auto* media = cli.add_subcommand("media", "media objects")->require_subcommand(1);
    auto* purge = media->add_subcommand("purge", "removes a media object and its thumbnail, whatever uses it");
    purge->add_option("MEDIA_ID", media_id, "the media's id")->required();
    purge->callback([&] {
        command = [&](AdminTool& tool) {
            return done(tool.admin().purge_media(media_id), {{"media_id", media_id}, {"purged", true}});
        };
    });

    auto* counts = cli.add_subcommand("counts", "users, devices, chats, messages, media and reports");
    counts->callback([&] {
        command = [](AdminTool& tool) -> Result<json::value> {
            return json::value(flow::ctl::to_json(tool.admin().counts()));
        };
    });

    auto* reports = cli.add_subcommand("reports", "reports of users (POST /reports)")->require_subcommand(1);
    auto* reports_list = reports->add_subcommand("list", "reports, the newest first, with the messages they name");
    bool open_only = false;
    int limit = 100;
    reports_list->add_flag("--open", open_only, "only those not resolved yet");
    reports_list->add_option("--limit", limit, "at most this many")->capture_default_str()->check(CLI::Range(1, 10000));
    reports_list->callback([&] {
        command = [&](AdminTool& tool) -> Result<json::value> {
            json::array items;
            for (const auto& report : tool.admin().reports(open_only, limit)) items.push_back(flow::ctl::to_json(report));
            return json::value(json::object{{"items", std::move(items)}});
        };
    });
    auto* resolve = reports->add_subcommand("resolve", "marks a report resolved");
    resolve->add_option("REPORT_ID", report_id, "the report's id")->required();
    resolve->callback([&] {
        command = [&](AdminTool& tool) -> Result<json::value> {
            auto report = tool.admin().resolve_report(report_id);
            if (!report) return report.error();
            return json::value(flow::ctl::to_json(*report));
        };
    });

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e) == 0 ? 0 : 2;
    }
    if (const auto problem = flow::app::apply_setting_files(cli); !problem.empty()) {
        std::fprintf(stderr, "flowctl: %s\n", problem.c_str());
        return 2;
    }
    if (!flow::app::check_store_options(config)) return 2;
    if (!command) {
        std::fprintf(stderr, "flowctl: a command is required: user, devices, ban, unban, delete-account, media, "
                     "counts or reports (see --help)\n");
        return 2;
    }

    // stdout is the answer's alone: what the stores and the bus log goes to stderr, their
    // notes (as for flowd's log) left out.
    spdlog::set_default_logger(spdlog::stderr_color_st("flowctl"));
    spdlog::set_level(spdlog::level::warn);
    if (sodium_init() < 0) {
        std::fprintf(stderr, "flowctl: libsodium failed to initialise\n");
        return 1;
    }
    try {
        AdminTool tool(config);
        const auto answer = command(tool);
        if (!answer) return fail(answer.error());
        tool.relay();
        std::printf("%s\n", json::serialize(*answer).c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flowctl: %s\n", e.what());
        return 1;
    }
}
