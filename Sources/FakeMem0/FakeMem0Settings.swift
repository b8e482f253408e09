/// Behaviour of the fake that tests and benchmarks change at run time.
public struct FakeMem0Settings: Sendable, Hashable {
    /// The key the fake accepts when none is configured: `test-key`, sent as `Authorization: Token test-key`.
    public static let defaultAPIKey = "test-key"

    /// The accepted API key; nil accepts any `Authorization: Token <anything>` header.
    public var apiKey: String?
    /// Added to every Platform request before it is served (not to control requests).
    public var latency: Duration
    /// Whether add answers synchronously or with a pending event.
    public var addMode: FakeMem0AddMode
    /// How many event polls answer `PENDING`/`RUNNING` before the event shows its outcome.
    public var pendingPolls: Int
    /// How update treats `metadata`.
    public var updateMetadata: FakeMem0MetadataUpdate
    /// The request log keeps at most this many entries, dropping the oldest.
    public var requestLogLimit: Int
    /// Seed for fault `rate` draws, for repeatable benchmarks; nil draws from the system.
    public var randomSeed: UInt64?
    /// Webhook delivery faults: drop, delay, duplicate, reorder.
    public var webhookDelivery = FakeWebhookDelivery()
    /// Which API the fake serves; fixed at start.
    public var api: FakeMem0API = .platform

    /// Creates settings; the defaults imitate the Platform with no latency or faults.
    public init(
        apiKey: String? = FakeMem0Settings.defaultAPIKey,
        latency: Duration = .zero,
        addMode: FakeMem0AddMode = .followInfer,
        pendingPolls: Int = 1,
        updateMetadata: FakeMem0MetadataUpdate = .merge,
        requestLogLimit: Int = 10_000,
        randomSeed: UInt64? = nil
    ) {
        self.apiKey = apiKey
        self.latency = latency
        self.addMode = addMode
        self.pendingPolls = pendingPolls
        self.updateMetadata = updateMetadata
        self.requestLogLimit = requestLogLimit
        self.randomSeed = randomSeed
    }
}

/// The API dialect the fake serves.
public enum FakeMem0API: String, Sendable, Hashable, CaseIterable {
    /// The hosted Platform: `/v1`, `/v3`, `Authorization: Token KEY`.
    case platform
    /// Mem0's self-hosted OSS REST server: no prefix, `X-API-Key: KEY` (none when the key is nil).
    case oss
}

/// How `POST /v3/memories/add/` answers.
public enum FakeMem0AddMode: String, Sendable, Hashable, CaseIterable {
    /// As the Platform documents: `infer: false` answers synchronously with `results`;
    /// `infer: true` (the default when the field is absent) answers `{"event_id", "status": "PENDING"}`.
    case followInfer = "infer"
    /// Always answer synchronously with `results`.
    case sync
    /// Always answer with a pending event to poll.
    case async
}

/// What update does with a `metadata` field. The Platform does not document it; the OSS library
/// and server merge shallowly, and a client that assumed replace never removed a key (the default
/// is therefore the less forgiving `merge`).
public enum FakeMem0MetadataUpdate: String, Sendable, Hashable, CaseIterable {
    /// The sent object replaces the stored one.
    case replace
    /// The sent keys are merged into the stored object (what the OSS library does), a key sent
    /// as `null` included: it stays, with the value null.
    case merge
}

/// The result of the next adds, queued with ``FakeMem0Server/queueAddOutcomes(_:)``.
/// When the queue is empty, adds store their memory.
public enum FakeMem0AddOutcome: String, Sendable, Hashable, CaseIterable {
    /// Store the memory and report its id.
    case stored
    /// Store nothing and report `SUCCEEDED` with empty `results` (what the Platform does for a duplicate).
    case nothingStored = "nothing_stored"
    /// Store nothing and report `FAILED`.
    case failed
}
