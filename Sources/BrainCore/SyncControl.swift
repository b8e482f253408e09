/// The seam between the API and whatever pushes to Mem0. `BrainServer` sees only this protocol,
/// so it never depends on the sync module, and tests can pass `OfflineSync`.
public protocol SyncControl: Sendable {
    /// Called after a transaction with local changes commits, so pushing can start early.
    func localChangesCommitted()
    /// The Mem0 connection as status reports it.
    func syncStatus() async -> SyncStatus
}

/// What status shows about pushing to Mem0. Never carries the key.
public struct SyncStatus: Sendable, Codable, Equatable {
    /// `offline: no MEM0_API_KEY`, `starting`, `ok`, `unreachable` or `auth_failed`.
    public var state: String
    /// When a push last succeeded.
    public var lastPushAt: String?
    /// The last push error, if any since the last success.
    public var lastError: String?
    /// Every Mem0 call waits until then (a rate limit, `Retry-After`, or Mem0 failing repeatedly).
    public var pausedUntil: String?
    /// The configured Mem0, once known.
    public var target: String?
    /// With state `target_changed`: the Mem0 the stored memory ids belong to.
    public var recordedTarget: String?

    public init(state: String, lastPushAt: String? = nil, lastError: String? = nil, pausedUntil: String? = nil) {
        self.state = state
        self.lastPushAt = lastPushAt
        self.lastError = lastError
        self.pausedUntil = pausedUntil
    }

    /// The state of a daemon with no key.
    public static let offline = SyncStatus(state: "offline: no MEM0_API_KEY")

    enum CodingKeys: String, CodingKey {
        case state
        case lastPushAt = "last_push_at"
        case lastError = "last_error"
        case pausedUntil = "paused_until"
        case target
        case recordedTarget = "recorded_target"
    }
}

/// Sync when no Mem0 key is configured: changes stay pending locally until a key is provided.
public struct OfflineSync: SyncControl {
    public init() {}
    public func localChangesCommitted() {}
    public func syncStatus() async -> SyncStatus { .offline }
}
