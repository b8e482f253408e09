import Foundation

/// Which store braind runs on, as status shows it: never a password.
public struct StoreDescription: Sendable, Codable, Equatable {
    /// `sqlite` or `postgresql`.
    public var kind: String
    /// The engine's version (SQLite library, PostgreSQL server).
    public var version: String
    /// The database file, or the URL with its password replaced.
    public var location: String

    public init(kind: String, version: String, location: String) {
        self.kind = kind
        self.version = version
        self.location = location
    }
}

/// One daemon among those sharing a database, as its heartbeat row shows it.
public struct ClusterMember: Sendable, Codable, Equatable {
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var startedAt: String
    public var lastSeen: String

    enum CodingKeys: String, CodingKey {
        case id, host, pid, version
        case startedAt = "started_at"
        case lastSeen = "last_seen"
    }

    public init(id: String, host: String, pid: Int, version: String, startedAt: String, lastSeen: String) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.lastSeen = lastSeen
    }
}

/// What status, metrics and housekeeping read: counts, health, the store itself, the Mem0 the
/// stored ids belong to, and the events journal's retention.
public protocol StatusStore: Sendable {
    /// Which store this is.
    var storeDescription: StoreDescription { get }
    /// Whether writes succeed now (a full disk, a lost file or server), shown in status.
    var storageHealth: StorageHealth { get }
    /// Bytes the store occupies by part, for metrics (`database`; on SQLite also `wal`, `search_index`, `search_index_wal`).
    func storageBytes() async throws -> [String: Int]
    /// Counts by sync state for one brain.
    func counts(_ brain: BrainKind) async throws -> BrainCounts
    /// The Mem0 the stored memory ids belong to; nil before the first push to any.
    func recordedTarget() async throws -> Mem0Target?
    /// Records the Mem0 the memory ids belong to.
    func recordTarget(_ target: Mem0Target) async throws
    /// Moves every row to another Mem0 in one transaction (see `SyncStateMachine`).
    func retarget(to target: Mem0Target, dryRun: Bool, now: Date) async throws -> RetargetReport
    /// Deletes journal entries older than `cutoff`, at most `batch` per transaction.
    func pruneEvents(olderThan cutoff: Date, batch: Int) async throws -> Int
    /// Entries in the journal.
    func eventCount() async throws -> Int
    /// The live daemons sharing this store, this one included; nil for a store one daemon holds
    /// alone (SQLite).
    func liveDaemons() async throws -> [ClusterMember]?
}

extension StatusStore {
    public func retarget(to target: Mem0Target, dryRun: Bool) async throws -> RetargetReport {
        try await retarget(to: target, dryRun: dryRun, now: Date())
    }

    public func pruneEvents(olderThan cutoff: Date) async throws -> Int {
        try await pruneEvents(olderThan: cutoff, batch: 5_000)
    }
}

/// Everything braind needs from its database. The daemon holds one; each consumer (routes,
/// push worker, reconciler, loaders) is handed it and uses only its own part.
public protocol BrainStore: MemoryStore, PushQueueStore, ReconcileStore, OwnerStore, TokenStore, StatusStore, TransferStore {
    /// Closes the connections; later calls fail. Called once, at shutdown.
    func close() async throws
}
