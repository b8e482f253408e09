import CSQLiteSettings

/// Settings of the SQLite library for the whole process, applied before its first connection.
public enum SQLiteProcessSettings {
    /// Turns off SQLite's memory statistics. With them on, every allocation SQLite makes takes a
    /// global mutex to count it; braind reads none of them (`sqlite3_memory_used`, soft heap
    /// limits). The save's transaction from C (`bench/sqlite_floor.c`, 64 saves per transaction)
    /// took 32–43 us of CPU per save without them against 47–49 with.
    ///
    /// Call it first thing, before any thread opens a database: SQLite's configuration is not
    /// thread-safe, and once a connection exists it is refused (then nothing changes).
    /// - Returns: whether SQLite took the setting.
    @discardableResult
    public static func disableMemoryStatistics() -> Bool {
        braind_sqlite_disable_memory_statistics() == 0
    }
}
