/// The seam between the API and whatever pushes to Mem0. `BrainServer` sees only this protocol,
/// so it never depends on the sync module, and tests can pass `OfflineSync`.
public protocol SyncControl: Sendable {
    /// Called after a transaction with local changes commits, so pushing can start early.
    func localChangesCommitted()
    /// A one-line description of the Mem0 connection, e.g. `offline: no MEM0_API_KEY` or `ok`.
    func mem0State() async -> String
}

/// Sync when no Mem0 key is configured: changes stay pending locally until a key is provided.
public struct OfflineSync: SyncControl {
    public init() {}
    public func localChangesCommitted() {}
    public func mem0State() async -> String { "offline: no MEM0_API_KEY" }
}
