import Foundation
import TOMLKit

/// Settings of `braind`, read from a TOML file (`config/braind.toml` documents every key), then
/// overridden by the environment and by command-line flags.
public struct BrainConfiguration: Sendable, Equatable {
    /// `server.socket`: the Unix socket path. Nil means the XDG default (see `RuntimePaths`).
    public var socketPath: String?
    /// `server.log_level`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: String = "info"
    /// `server.max_body_bytes`: largest request body accepted; larger bodies get 413.
    public var maxBodyBytes: Int = 1_048_576
    /// `server.max_connections`: most client connections open at once; braind lowers it to fit
    /// its open-file limit. Past it, new clients wait in the socket's backlog.
    public var maxConnections: Int = 512
    /// `server.idle_timeout_seconds`: a connection with no request in progress for this long is
    /// closed; a request head must arrive within it too.
    public var idleTimeoutSeconds: Double = 60
    /// `storage.database`: the SQLite file, or a `postgres://` URL. Nil means the XDG default file.
    public var databasePath: String?
    /// `storage.password_file`: the PostgreSQL password, when neither the URL nor `PGPASSWORD` has it.
    public var passwordFile: String?
    /// `storage.pool_size`: PostgreSQL connections per daemon.
    public var poolSize: Int = 4
    /// `storage.query_timeout_seconds`: the longest a PostgreSQL call waits before a 503.
    public var queryTimeoutSeconds: Double = 5
    /// `storage.lease_seconds`: how long a PostgreSQL push claim holds without renewal, so how
    /// soon another daemon takes over the rows of one that died.
    public var leaseSeconds: Double = 30
    /// `storage.synchronous`: `full` (default, survives power loss) or `normal`.
    public var synchronous: SQLiteSynchronous = .full
    /// `storage.events_retention_days`: how long the `events` journal keeps an entry; 0 keeps all.
    public var eventsRetentionDays: Double = 90
    /// `identity.verify_rut_check_digit`: reject RUTs with a wrong check digit. Turn off only for
    /// synthetic data sets.
    public var verifyRUTCheckDigit: Bool = true
    /// `mem0.api_key`. Prefer `MEM0_API_KEY` in the environment; never logged or printed.
    public var mem0APIKey: String?
    /// `mem0.base_url`.
    public var mem0BaseURL: String = "https://api.mem0.ai"
    /// `mem0.api`: `platform` (the hosted API) or `oss` (Mem0's self-hosted REST server).
    public var mem0API: String = "platform"
    /// Whether `mem0.base_url` (or `MEM0_BASE_URL`) was set, so a keyless OSS server is meant.
    public var mem0BaseURLGiven = false

    /// Whether braind talks to a Mem0 at all: with a key, or with a self-hosted server that runs
    /// without authentication at an address given explicitly.
    public var mem0Enabled: Bool { mem0APIKey != nil || (mem0API == "oss" && mem0BaseURLGiven) }
    /// `webhooks.listen`: `HOST:PORT` of the TCP listener for Mem0's webhook deliveries; nil keeps it closed.
    public var webhooksListen: String?
    /// `webhooks.secret`: the path secret of delivery URLs. Prefer `MEM0_WEBHOOK_SECRET`.
    public var webhookSecret: Secret?
    /// `webhooks.max_body_bytes`: the largest delivery accepted.
    public var webhookMaxBodyBytes: Int = 65_536
    /// `webhooks.queue_limit`: deliveries waiting at most; past it braind runs a full reconcile.
    public var webhookQueueLimit: Int = 10_000
    /// `mem0.timeout_seconds`: per-request timeout for Mem0 calls.
    public var mem0TimeoutSeconds: Double = 30
    /// `sync.concurrency`: Mem0 calls in flight at once.
    public var syncConcurrency: Int = 8
    /// `sync.interval_seconds`: how often the push worker looks for due work unprompted.
    public var syncIntervalSeconds: Double = 30
    /// `sync.debounce_ms`: how long after a write the worker waits to gather more writes.
    public var syncDebounceMilliseconds: Int = 20
    /// `sync.backoff_cap_seconds`: the longest wait between retries.
    public var syncBackoffCapSeconds: Double = 300
    /// `reconcile.interval_seconds`: time between scheduled reconcile runs; 0 turns them off.
    public var reconcileIntervalSeconds: Double = 600
    /// `reconcile.concurrency`: entities listed at once.
    public var reconcileConcurrency: Int = 8
    /// `reconcile.changed_policy`: `local` (push the row) or `remote` (take Mem0's text).
    public var reconcileChangedPolicy: ReconcilePolicy.Changed = .local
    /// `reconcile.orphan_policy`: `adopt` (make a row) or `delete` (remove it from Mem0).
    public var reconcileOrphanPolicy: ReconcilePolicy.Orphan = .adopt

    /// `access.allowed_uids`: users besides root and braind's own user who may use the socket.
    public var allowedUIDs: [Int] = []
    /// `access.require_token`: refuse requests without a token, even from the socket's owner.
    public var requireToken: Bool = false

    public init() {}

    /// Log levels accepted by `server.log_level` and `--log-level`.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}

/// A configuration problem, naming the key and, for files, the file.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String?
    public var reason: String
    public var source: String

    public init(key: String?, reason: String, source: String) {
        self.key = key
        self.reason = reason
        self.source = source
    }

    public var description: String {
        if let key { return "\(source): \(key): \(reason)" }
        return "\(source): \(reason)"
    }
}

extension BrainConfiguration {
    /// Reads a TOML configuration file.
    public static func load(path: String) throws(ConfigurationError) -> BrainConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: nil, reason: "cannot read the file", source: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: nil, reason: "not valid UTF-8", source: path)
        }
        return try parse(toml: text, source: path)
    }

    /// Parses TOML text. Unknown keys and values of the wrong type or range are errors that name
    /// the key, because a misspelled key silently ignored is a setting silently not applied.
    public static func parse(toml text: String, source: String = "configuration") throws(ConfigurationError) -> BrainConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                key: nil, reason: "invalid TOML at line \(error.source.begin.line): \(error.description)", source: source)
        } catch {
            throw ConfigurationError(key: nil, reason: "invalid TOML: \(error)", source: source)
        }
        var configuration = BrainConfiguration()
        for (section, value) in table {
            guard let sectionTable = value.table else {
                throw ConfigurationError(key: section, reason: "expected a [\(section)] table", source: source)
            }
            for (name, value) in sectionTable {
                let key = "\(section).\(name)"
                guard let setting = ConfigurationKey.all[key] else {
                    throw ConfigurationError(key: key, reason: "unknown key", source: source)
                }
                do {
                    try setting.apply(value, &configuration)
                } catch let reason as ConfigurationValueError {
                    throw ConfigurationError(key: key, reason: reason.message, source: source)
                } catch {
                    throw ConfigurationError(key: key, reason: "\(error)", source: source)
                }
            }
        }
        return configuration
    }
}
