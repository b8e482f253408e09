/// How the push worker paces itself.
public struct PushSettings: Sendable {
    /// Mem0 calls in flight at once (`sync.concurrency`).
    public var concurrency: Int = 8
    /// How long after a local write the worker waits to gather more writes (`sync.debounce_ms`).
    public var debounce: Duration = .milliseconds(20)
    /// How often the worker looks for due work without being woken (`sync.interval_seconds`).
    public var interval: Duration = .seconds(30)
    /// Retry pacing for failed rows and for the shared gate (`sync.backoff_cap_seconds`).
    public var backoff = BackoffPolicy()
    /// The configured Mem0's dialect and address; its ids are checked against the recorded target
    /// before any push. Nil skips the check (tests of one fake).
    public var target: (api: String, baseURL: String)?

    public init() {}
}
