#pragma once

#include <vector>

#include "domain/message.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// The columns of a message row as SqlChatStore reads them, of `messages m` LEFT JOIN
// `media md`; and the messages of a statement that selected them first, with their
// reactions.
const char* message_columns();
std::vector<Message> read_message_rows(Connection& db, Statement& stmt);

}  // namespace flow::sql
