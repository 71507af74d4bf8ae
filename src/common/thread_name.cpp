#include "common/thread_name.hpp"

#include <pthread.h>

namespace flow {

void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace flow
