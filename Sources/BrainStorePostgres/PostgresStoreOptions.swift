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

    public init() {}
}
