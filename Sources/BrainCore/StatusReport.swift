/// Version facts shared by the daemon and its clients.
public enum BrainVersion {
    /// The braind release.
    public static let daemon = "0.1.0"
    /// The HTTP API version, also sent as the `Braind-API-Version` header.
    public static let api = "1"
}

/// The answer to `GET /v1/ping`.
public struct PingReply: Sendable, Codable, Equatable {
    public var ok: Bool
    public var apiVersion: String
    public var version: String

    public init(ok: Bool = true, apiVersion: String = BrainVersion.api, version: String = BrainVersion.daemon) {
        self.ok = ok
        self.apiVersion = apiVersion
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case ok, version
        case apiVersion = "api_version"
    }
}

/// The answer to `GET /v1/status`.
public struct StatusReport: Sendable, Codable, Equatable {
    public struct Mem0: Sendable, Codable, Equatable {
        /// Whether an API key is configured (the key itself is never reported).
        public var configured: Bool
        /// `offline: no MEM0_API_KEY`, `starting`, `ok`, `unreachable` or `auth_failed`.
        public var state: String
        /// When a push last succeeded.
        public var lastPushAt: String?
        /// The last push error since the last success.
        public var lastError: String?
        /// Every Mem0 call waits until then (a rate limit, `Retry-After`, or repeated failures).
        public var pausedUntil: String?
        /// The configured Mem0 (dialect, address, project), once known.
        public var target: String?
        /// With state `target_changed`: the Mem0 the stored memory ids belong to.
        public var recordedTarget: String?

        public init(configured: Bool, sync: SyncStatus) {
            self.configured = configured
            state = sync.state
            lastPushAt = sync.lastPushAt
            lastError = sync.lastError
            pausedUntil = sync.pausedUntil
            target = sync.target
            recordedTarget = sync.recordedTarget
        }

        enum CodingKeys: String, CodingKey {
            case configured, state
            case lastPushAt = "last_push_at"
            case lastError = "last_error"
            case pausedUntil = "paused_until"
            case target
            case recordedTarget = "recorded_target"
        }
    }

    public var version: String
    public var apiVersion: String
    public var pid: Int32
    public var uptimeSeconds: Double
    public var database: String
    public var socket: String
    public var mem0: Mem0
    public var brains: [String: BrainCounts]
    /// The latest reconcile run, if any.
    public var lastReconcile: ReconcileReport?
    /// Why writes fail now (a full disk, a read-only or lost file); nil while they succeed.
    public var storageProblem: String?
    /// Which store braind runs on (`sqlite` or `postgresql`) and its version.
    public var store: StoreDescription?
    /// The live daemons sharing the database (PostgreSQL), this one included.
    public var cluster: [ClusterMember]?

    public init(
        version: String, apiVersion: String, pid: Int32, uptimeSeconds: Double, database: String, socket: String,
        mem0: Mem0, brains: [String: BrainCounts], lastReconcile: ReconcileReport? = nil
    ) {
        self.lastReconcile = lastReconcile
        self.version = version
        self.apiVersion = apiVersion
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.database = database
        self.socket = socket
        self.mem0 = mem0
        self.brains = brains
    }

    enum CodingKeys: String, CodingKey {
        case version, pid, database, socket, mem0, brains, store, cluster
        case apiVersion = "api_version"
        case uptimeSeconds = "uptime_seconds"
        case lastReconcile = "last_reconcile"
        case storageProblem = "storage_problem"
    }
}

/// The error body of every non-2xx answer: `{"error": {"code", "message"}}`.
public struct ErrorBody: Sendable, Codable, Equatable {
    public struct Detail: Sendable, Codable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail

    public init(code: String, message: String) {
        error = Detail(code: code, message: message)
    }
}
