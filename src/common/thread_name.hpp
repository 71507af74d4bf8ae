#pragma once

namespace flow {

// Names the calling thread, as `top -H` and perf show it (at most 15 characters).
void name_this_thread(const char* name);

}  // namespace flow
