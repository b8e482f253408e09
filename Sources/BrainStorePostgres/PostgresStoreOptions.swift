import Foundation

/// How a PostgreSQL store connects and how long it waits.
public struct PostgresStoreOptions: Sendable {
    /// The longest any store call waits for the database before it answers
    /// `BrainError.storageUnavailable` (HTTP 503). The pool retries a lost server forever, so
    /// without it a request would hang until the server came back.
    public var queryDeadline: Duration = .seconds(5)
    /// The longest the start-up probe (one connection and one query) may take.
    public var probeDeadline: Duration = .seconds(3)
    /// Pool size. Near the core count: more connections on 2 cores only lengthen the tail.
    public var maximumConnections = 4
    /// How long a pool connection may sit idle before it is closed (PostgresNIO's default: 60 s).
    public var idleTimeout: Duration = .seconds(60)
    /// Saves retried after a deadlock or serialization failure before it surfaces as
    /// `storageUnavailable`. Batches are sorted by slug, so this is a safety net.
    public var conflictRetries = 3
    /// Who this daemon is among the daemons sharing the database: the holder named in its push
    /// claims and reconcile runs. braind uses host and socket path, so a restarted daemon knows
    /// its own claims (no other process can hold that socket meanwhile).
    public var daemonID = "braind-\(UUID().uuidString.prefix(8))"
    /// How long a push claim holds without renewal. The holder renews its claims every third of
    /// it (`PostgresStore.heartbeat`); a daemon that dies loses them when this runs out, and
    /// another daemon finishes the work.
    public var leaseDuration: Duration = .seconds(30)

    public init() {}
}
