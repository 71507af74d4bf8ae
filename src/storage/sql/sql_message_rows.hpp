#pragma once

#include <vector>

#include "domain/message.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// The columns of a message row as SqlChatStore reads them, of `messages m` LEFT JOIN
// `media md`; and the messages of a statement that selected them first, with their
// reactions (`now`: a reply whose original has disappeared previews it as deleted).
const char* message_columns();
std::vector<Message> read_message_rows(Connection& db, Statement& stmt, TimeMs now);

}  // namespace flow::sql
