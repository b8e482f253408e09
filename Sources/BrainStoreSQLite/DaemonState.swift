import GRDB

/// What braind records about itself in `daemon_state` (key → text), inside the caller's access.
enum DaemonState {
    /// The value under `key`, in the store attached as `schema` (`main` on the store's own connection).
    static func value(_ key: String, schema: String = "main", in db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM \(schema).daemon_state WHERE key = ?", arguments: [key])
    }

    /// Sets `key` to `value`, replacing what was there.
    static func set(_ key: String, to value: String, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO daemon_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [key, value])
    }
}
