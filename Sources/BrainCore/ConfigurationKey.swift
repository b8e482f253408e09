import TOMLKit

/// Why a configuration value was refused; the caller adds the key and the file.
struct ConfigurationValueError: Error {
    var message: String
}

/// One TOML key and how it sets a field. The table below is the single list of supported keys.
struct ConfigurationKey: Sendable {
    let apply: @Sendable (any TOMLValueConvertible, inout BrainConfiguration) throws -> Void

    static let all: [String: ConfigurationKey] = [
        "server.socket": .string { $0.socketPath = try nonEmpty($1) },
        "server.log_level": .string { configuration, value in
            guard BrainConfiguration.logLevels.contains(value) else {
                throw ConfigurationValueError(message: "'\(value)' is not one of \(BrainConfiguration.logLevels.joined(separator: ", "))")
            }
            configuration.logLevel = value
        },
        "server.max_body_bytes": .int(in: 1_024...(64 << 20)) { $0.maxBodyBytes = $1 },
        "server.max_connections": .int(in: 1...1_000_000) { $0.maxConnections = $1 },
        "server.idle_timeout_seconds": .number(in: 0.1...86_400) { $0.idleTimeoutSeconds = $1 },
        "storage.database": .string { $0.databasePath = try nonEmpty($1) },
        "storage.synchronous": .string { configuration, value in
            guard let mode = SQLiteSynchronous(rawValue: value) else {
                throw ConfigurationValueError(message: "'\(value)' is not one of full, normal")
            }
            configuration.synchronous = mode
        },
        "storage.password_file": .string { $0.passwordFile = try nonEmpty($1) },
        "storage.pool_size": .int(in: 1...256) { $0.poolSize = $1 },
        "storage.query_timeout_seconds": .number(in: 0.1...3_600) { $0.queryTimeoutSeconds = $1 },
        "storage.lease_seconds": .number(in: 1...3_600) { $0.leaseSeconds = $1 },
        "storage.events_retention_days": .number(in: 0...36_500) { $0.eventsRetentionDays = $1 },
        "identity.verify_rut_check_digit": .bool { $0.verifyRUTCheckDigit = $1 },
        "mem0.api_key": .string { $0.mem0APIKey = $1.isEmpty ? nil : $1 },
        "mem0.base_url": .string { configuration, value in
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw ConfigurationValueError(message: "must start with http:// or https://")
            }
            configuration.mem0BaseURL = value
            configuration.mem0BaseURLGiven = true
        },
        "mem0.api": .string { configuration, value in
            guard ["platform", "oss"].contains(value) else { throw ConfigurationValueError(message: "'\(value)' is not one of platform, oss") }
            configuration.mem0API = value
        },
        "mem0.timeout_seconds": .number(in: 0.1...600) { $0.mem0TimeoutSeconds = $1 },
        "webhooks.listen": .string { configuration, value in
            guard WebhookAddress(value) != nil else { throw ConfigurationValueError(message: "'\(value)' is not HOST:PORT") }
            configuration.webhooksListen = value
        },
        "webhooks.secret": .string { $0.webhookSecret = try Secret(nonEmpty($1)) },
        "webhooks.max_body_bytes": .int(in: 1_024...(16 << 20)) { $0.webhookMaxBodyBytes = $1 },
        "webhooks.queue_limit": .int(in: 1...1_000_000) { $0.webhookQueueLimit = $1 },
        "sync.concurrency": .int(in: 1...256) { $0.syncConcurrency = $1 },
        "sync.interval_seconds": .number(in: 0.1...86_400) { $0.syncIntervalSeconds = $1 },
        "sync.debounce_ms": .int(in: 0...10_000) { $0.syncDebounceMilliseconds = $1 },
        "sync.backoff_cap_seconds": .number(in: 1...86_400) { $0.syncBackoffCapSeconds = $1 },
        "access.allowed_uids": ConfigurationKey { value, configuration in
            guard let array = value.array else { throw ConfigurationValueError(message: "expected an array of user ids") }
            configuration.allowedUIDs = try array.map { element in
                guard let uid = element.int, uid >= 0 else { throw ConfigurationValueError(message: "expected non-negative integers") }
                return uid
            }
        },
        "access.require_token": .bool { $0.requireToken = $1 },
        "reconcile.interval_seconds": .number(in: 0...604_800) { $0.reconcileIntervalSeconds = $1 },
        "reconcile.concurrency": .int(in: 1...256) { $0.reconcileConcurrency = $1 },
        "reconcile.changed_policy": .string { configuration, value in
            guard let policy = ReconcilePolicy.Changed(rawValue: value) else {
                throw ConfigurationValueError(message: "'\(value)' is not one of local, remote")
            }
            configuration.reconcileChangedPolicy = policy
        },
        "reconcile.orphan_policy": .string { configuration, value in
            guard let policy = ReconcilePolicy.Orphan(rawValue: value) else {
                throw ConfigurationValueError(message: "'\(value)' is not one of adopt, delete")
            }
            configuration.reconcileOrphanPolicy = policy
        },
    ]

    private static func nonEmpty(_ value: String) throws -> String {
        guard !value.isEmpty else { throw ConfigurationValueError(message: "must not be empty") }
        return value
    }

    static func string(
        _ set: @escaping @Sendable (inout BrainConfiguration, String) throws -> Void
    ) -> ConfigurationKey {
        ConfigurationKey { value, configuration in
            guard let string = value.string else { throw ConfigurationValueError(message: "expected a string") }
            try set(&configuration, string)
        }
    }

    static func bool(_ set: @escaping @Sendable (inout BrainConfiguration, Bool) -> Void) -> ConfigurationKey {
        ConfigurationKey { value, configuration in
            guard let bool = value.bool else { throw ConfigurationValueError(message: "expected true or false") }
            set(&configuration, bool)
        }
    }

    static func int(in range: ClosedRange<Int>, _ set: @escaping @Sendable (inout BrainConfiguration, Int) -> Void) -> ConfigurationKey {
        ConfigurationKey { value, configuration in
            guard let int = value.int else { throw ConfigurationValueError(message: "expected an integer") }
            guard range.contains(int) else {
                throw ConfigurationValueError(message: "\(int) is outside \(range.lowerBound)...\(range.upperBound)")
            }
            set(&configuration, int)
        }
    }

    static func number(in range: ClosedRange<Double>, _ set: @escaping @Sendable (inout BrainConfiguration, Double) -> Void) -> ConfigurationKey {
        ConfigurationKey { value, configuration in
            guard let number = value.double ?? value.int.map(Double.init) else {
                throw ConfigurationValueError(message: "expected a number")
            }
            guard range.contains(number) else {
                throw ConfigurationValueError(message: "\(number) is outside \(range.lowerBound)...\(range.upperBound)")
            }
            set(&configuration, number)
        }
    }
}
