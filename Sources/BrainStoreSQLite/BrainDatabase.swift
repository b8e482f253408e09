import BrainCore
import Foundation
import GRDB

/// Owns the SQLite connection(s) and the schema. One per database file for the process lifetime
/// (GRDB's rule: connect to a file only once).
public final class BrainDatabase: Sendable {
    /// How hard SQLite works to make a commit survive power loss (`storage.synchronous`).
    public typealias Synchronous = SQLiteSynchronous

    let writer: any DatabaseWriter
    /// Concurrent saves share transactions (see `GroupCommit`).
    let groupCommit: GroupCommit
    /// Refuses storage once the file is deleted or replaced under the store; nil in memory.
    let fileWatch: DatabaseFileWatch?
    /// The database file, or nil for an in-memory database.
    public let path: String?
    /// Whether writes succeed now (a full disk is shown in status, and logged once).
    public let storageHealth = StorageHealth()
    /// Keeps the writer from checkpointing while a backup runs (see `backup(to:)`).
    let checkpointPause = WriterCheckpointPause()
    /// Full-text search, in a file of its own beside the store (`<path>-search`).
    let searchIndex: SearchIndex

    /// Opens (creating if needed) a database file in WAL mode and migrates it. A file that is not
    /// a braind database, or is one from a newer braind, is refused before anything writes to it.
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - synchronous: durability of commits; `.full` unless the operator chose otherwise.
    public convenience init(path: String, synchronous: Synchronous = .full) throws {
        try self.init(path: path, synchronous: synchronous, searchIndex: SearchIndex.Timing())
    }

    /// The same, with the search index's timing chosen (tests).
    init(path: String, synchronous: Synchronous, searchIndex timing: SearchIndex.Timing) throws {
        try Self.checkRecognized(path: path)
        let pool = try DatabasePool(path: path, configuration: Self.makeConfiguration())
        // GRDB sets synchronous=NORMAL when it enables WAL, after prepareDatabase runs, so the
        // setting must be applied to the writer connection once the pool exists, then verified.
        let applied = try pool.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.pragmaValue)")
            // Inside the shared transaction SQLite copies the pages a statement (or a savepoint)
            // touches to a statement journal, to undo it alone; past 64 KiB (a save to a new owner
            // touches about 17 pages) it spilled that journal to a new file in /var/tmp: a random
            // name from /dev/urandom, open, unlink and writes, in every transaction. In memory it
            // holds at most one transaction's pages, and no crash ever needs it. Writer only:
            // readers keep spilling large sorts to disk.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        guard applied == synchronous.pragmaValue else {
            throw BrainError.storageUnavailable(reason: "PRAGMA synchronous stayed \(applied), wanted \(synchronous.rawValue)")
        }
        self.writer = pool
        self.path = path
        let fileWatch = DatabaseFileWatch(path: path)
        self.fileWatch = fileWatch
        groupCommit = GroupCommit(beforeEachTransaction: { () throws(BrainError) in try fileWatch?.check() })
        try Self.migrator.migrate(pool)
        searchIndex = try SearchIndex(.file(index: Self.searchIndexPath(of: path), store: path), brain: pool, timing: timing)
    }

    /// Where the search index of the store at `path` lives.
    public static func searchIndexPath(of path: String) -> String {
        path + "-search"
    }

    /// An empty in-memory database with the full schema, for tests.
    public init() throws {
        let queue = try DatabaseQueue(configuration: Self.makeConfiguration())
        self.writer = queue
        self.path = nil
        fileWatch = nil
        groupCommit = GroupCommit()
        try Self.migrator.migrate(queue)
        searchIndex = try SearchIndex(.memory, brain: queue, timing: SearchIndex.Timing())
    }

    /// Closes the connections. Later calls fail; call it once, at shutdown.
    public func close() throws {
        searchIndex.close()
        if let pool = writer as? DatabasePool {
            // Fold the WAL in first: SQLite removes it only when the last connection closes, and
            // GRDB closes a pool's read-only readers last, which cannot. A closed store is then
            // one self-contained file, whatever was read.
            _ = try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try pool.close()
        } else if let queue = writer as? DatabaseQueue {
            try queue.close()
        }
    }

    /// Reads a pragma from the writer connection (tests and status use it to prove the settings).
    public func pragma(_ name: String) throws -> String? {
        try writer.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    private static func makeConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // A reader never waits for the writer in WAL; the writer waits a little for checkpoints.
        configuration.busyMode = .timeout(5)
        configuration.label = "braind"
        return configuration
    }

    /// Migrations are the embedded copies of `schema/sqlite/*.sql`, identified by file stem.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedSchema.migrations {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// The migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Self.migrator.appliedMigrations(db) }
    }
}
