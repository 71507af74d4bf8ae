#pragma once

#include "storage/sign_in_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// SignInStore in SQL, on either engine. Thread-safe through its Database.
class SqlSignInStore final : public SignInStore {
public:
    explicit SqlSignInStore(Database& db) : db_(db) {}

    Status start_challenge(const OtpChallenge& challenge, const std::string& address,
                           SendHistory::Needed needed,
                           const std::function<Status(const SendHistory&)>& allow) override;
    void cancel_challenge(const std::string& challenge_id) override;
    std::optional<OtpChallenge> latest_challenge(const std::string& phone) override;
    bool use_attempt(const std::string& challenge_id, int max_attempts) override;
    bool banned(const std::string& phone) override;
    Result<SignedIn> complete_sign_in(const OtpChallenge& challenge, const std::string& new_user_id, Session session,
                                      const std::string& token_hash, TimeMs now) override;
    std::optional<Session> find_session(const std::string& token_hash) override;
    void mark_session_seen(const std::string& session_id, TimeMs at) override;
    void delete_session(const std::string& session_id) override;

private:
    Database& db_;
};

}  // namespace flow::sql
