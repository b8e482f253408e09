#ifndef BRAIND_SQLITE_SETTINGS_H
#define BRAIND_SQLITE_SETTINGS_H

/// Turns off SQLite's memory statistics for the process (SQLITE_CONFIG_MEMSTATUS). Returns
/// SQLite's result code: SQLITE_OK (0), or SQLITE_MISUSE once SQLite is initialized (the first
/// connection opened), when it changes nothing. Not safe while another thread opens a connection.
int braind_sqlite_disable_memory_statistics(void);

#endif
