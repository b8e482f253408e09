import BrainCore
import BrainServer
import Foundation
import Logging
import ServiceLifecycle

/// The daemon's lifetime: own the socket, open the store, serve until a signal, then clean up.
struct Daemon {
    let settings: DaemonSettings
    let logger = Logger(label: "braind")

    func run() async throws {
        // Everything braind creates (directories, database, WAL, socket) is private to its user.
        umask(0o077)
        let guardian = try SocketGuard.acquire(socketPath: settings.socketPath)
        defer { guardian.release() }
        let databaseDirectory = (settings.databasePath as NSString).deletingLastPathComponent
        if !databaseDirectory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: databaseDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let database = try BrainDatabase(path: settings.databasePath, synchronous: settings.configuration.synchronous)
        defer { try? database.close() }

        let configuration = settings.configuration
        let sync: any SyncControl = OfflineSync()
        let apiSettings = APISettings(
            maxBodyBytes: configuration.maxBodyBytes,
            verifyRUTCheckDigit: configuration.verifyRUTCheckDigit,
            mem0Configured: configuration.mem0APIKey != nil,
            socketPath: settings.socketPath)
        let logger = logger
        let settings = settings
        let app = buildApplication(
            socketPath: settings.socketPath, database: database, sync: sync, settings: apiSettings, logger: logger,
            onReady: {
                let mem0State = await sync.mem0State()
                logger.info(
                    "braind ready",
                    metadata: [
                        "braind.socket": "\(settings.socketPath)",
                        "braind.database": "\(settings.databasePath)",
                        "braind.config": "\(settings.configFile ?? "(none)")",
                        "braind.mem0": "\(mem0State)",
                        "braind.pid": "\(getpid())",
                    ])
            })
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("braind stopped", metadata: ["braind.socket": "\(settings.socketPath)"])
    }
}
