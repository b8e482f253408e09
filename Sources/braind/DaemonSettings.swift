import BrainCore
import Foundation
import Logging

/// Everything the daemon needs to start, after flags, environment and file are merged.
struct DaemonSettings: Sendable {
    struct Flags {
        var socket: String?
        var database: String?
        var config: String?
        var logLevel: String?
        var webhooksListen: String?
    }

    var configuration: BrainConfiguration
    var configFile: String?
    var socketPath: String
    var databasePath: String
    var logLevel: Logger.Level

    /// This daemon's id among those sharing a database: host and socket path, so a restart keeps
    /// it (and finds its own claims), while the socket lock keeps a second process off it.
    var daemonID: String { "\(ProcessInfo.processInfo.hostName):\(socketPath)" }

    /// Precedence, for every setting: flag, then environment, then config file, then default.
    static func resolve(flags: Flags, paths: RuntimePaths, environment: [String: String]) throws -> DaemonSettings {
        let configFile = paths.configFile(flag: flags.config)
        var configuration = try configFile.map { path in try BrainConfiguration.load(path: path) } ?? BrainConfiguration()
        if let key = environment["MEM0_API_KEY"], !key.isEmpty { configuration.mem0APIKey = key }
        if let url = environment["MEM0_BASE_URL"], !url.isEmpty {
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url) != nil else {
                throw ConfigurationError(key: "MEM0_BASE_URL", reason: "'\(url)' is not an http:// or https:// URL", source: "environment")
            }
            configuration.mem0BaseURL = url
            configuration.mem0BaseURLGiven = true
        }
        if let api = environment["MEM0_API"], !api.isEmpty {
            guard ["platform", "oss"].contains(api) else {
                throw ConfigurationError(key: "MEM0_API", reason: "'\(api)' is not one of platform, oss", source: "environment")
            }
            configuration.mem0API = api
        }
        if let secret = environment["MEM0_WEBHOOK_SECRET"], !secret.isEmpty { configuration.webhookSecret = Secret(secret) }
        if let listen = flags.webhooksListen ?? environment["BRAIND_WEBHOOKS_LISTEN"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard WebhookAddress(listen) != nil else {
                throw ConfigurationError(
                    key: "webhooks.listen", reason: "'\(listen)' is not HOST:PORT",
                    source: flags.webhooksListen != nil ? "--webhooks-listen" : "BRAIND_WEBHOOKS_LISTEN")
            }
            configuration.webhooksListen = listen
        }
        let levelName = flags.logLevel ?? environment["BRAIND_LOG_LEVEL"] ?? configuration.logLevel
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ConfigurationError(
                key: "log level", reason: "'\(levelName)' is not one of \(BrainConfiguration.logLevels.joined(separator: ", "))",
                source: flags.logLevel != nil ? "--log-level" : "BRAIND_LOG_LEVEL")
        }
        return DaemonSettings(
            configuration: configuration,
            configFile: configFile,
            socketPath: paths.socket(flag: flags.socket, configuration: configuration),
            databasePath: paths.database(flag: flags.database, configuration: configuration),
            logLevel: level)
    }
}
