import ArgumentParser
import BrainCore
import BrainServer
import BrainStoreSQLite
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `braind [serve]`: the memory daemon. Parses options, resolves the configuration, and runs the services.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Local memory daemon for AI agents: SQLite brain tables, Mem0 sync, a Unix-socket API.",
        discussion: """
            Without MEM0_API_KEY braind works offline: saves, lists and searches are local and
            pending work is pushed once a key is configured. Stop it with SIGTERM or Ctrl-C.
            """,
        version: BrainVersion.withCommit)

    @Option(help: "Unix socket to listen on (default: $BRAIND_SOCKET, config, $XDG_RUNTIME_DIR/braind/braind.sock).")
    var socket: String?

    @Option(help: "SQLite database file (default: $BRAIND_DB, config, $XDG_DATA_HOME/braind/brain.sqlite).")
    var db: String?

    @Option(help: "TOML configuration file (default: $BRAIND_CONFIG, then $XDG_CONFIG_HOME/braind/braind.toml if present).")
    var config: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: config, then info).")
    var logLevel: String?

    @Option(help: "TCP HOST:PORT for Mem0 webhook deliveries (default: $BRAIND_WEBHOOKS_LISTEN, config; off). Needs MEM0_WEBHOOK_SECRET.")
    var webhooksListen: String?

    @Option(help: "Log format: text, or json (one object per line, for journald and log shippers) (default: $BRAIND_LOG_FORMAT, then text).")
    var logFormat: String?

    func run() async throws {
        // Before any connection exists (SQLite refuses it afterwards).
        SQLiteProcessSettings.disableMemoryStatistics()
        let environment = ProcessInfo.processInfo.environment
        let paths = RuntimePaths(environment: environment)
        let settings: DaemonSettings
        do {
            settings = try DaemonSettings.resolve(
                flags: .init(socket: socket, database: db, config: config, logLevel: logLevel, webhooksListen: webhooksListen), paths: paths,
                environment: environment)
        } catch {
            FileHandle.standardError.write(Data("braind: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let format: LogFormat
        do {
            format = try Self.resolveLogFormat(flag: logFormat, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("braind: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = TextLogHandler(label: label)
                handler.logLevel = settings.logLevel
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = settings.logLevel
                return handler
            }
        }
        let registry = PrometheusCollectorRegistry()
        let prometheus = PrometheusMetricsFactory(registry: registry)
        // Daemons sharing a database label their own work; alone, a daemon's metrics are all its own.
        MetricsSystem.bootstrap(
            PostgresURL.isPostgresURL(settings.databasePath) ? DaemonMetricsFactory(wrapping: prometheus, daemon: settings.daemonID) : prometheus)
        do {
            try await Daemon(settings: settings, metrics: registry).run()
        } catch let error as SocketGuardError {
            FileHandle.standardError.write(Data("braind: \(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as StartupError {
            FileHandle.standardError.write(Data("braind: error: \(error.message)\nTry: \(error.hint)\n".utf8))
            throw ExitCode(1)
        } catch let error as DatabaseOpenError {
            FileHandle.standardError.write(Data("braind: error: \(error.message)\nTry: \(error.hint)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension ServeCommand {
    /// The log format from `--log-format`, then `BRAIND_LOG_FORMAT`, then text.
    static func resolveLogFormat(flag: String?, environment: [String: String]) throws -> LogFormat {
        let name = flag ?? environment["BRAIND_LOG_FORMAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "text"
        guard let format = LogFormat(rawValue: name) else {
            throw ConfigurationError(
                key: "log format", reason: "'\(name)' is not one of text, json", source: flag != nil ? "--log-format" : "BRAIND_LOG_FORMAT")
        }
        return format
    }
}
