// sqlite3_config is variadic, which Swift cannot call; this wrapper is the only C in braind.
#include <sqlite3.h>
#include "sqlite_settings.h"

int braind_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
