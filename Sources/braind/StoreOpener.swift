import BrainCore
import BrainStoreSQLite
import Foundation

/// Opens the store the database setting names, with whatever guards it needs held until close.
struct StoreOpener {
    /// The open store and how to release it at shutdown.
    struct Opened {
        let store: any BrainStore
        let close: @Sendable () -> Void
    }

    static func open(settings: DaemonSettings) throws -> Opened {
        try openSQLite(path: settings.databasePath, synchronous: settings.configuration.synchronous)
    }

    private static func openSQLite(path: String, synchronous: SQLiteSynchronous) throws -> Opened {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StartupError.cannotCreateDirectory(directory, error: error)
            }
        }
        // A file that is not braind's is refused before a lock file is left beside it.
        try BrainDatabase.checkRecognized(path: path)
        // Before opening: opening migrates, and the push worker recovers in-flight rows at start.
        let lock = try BrainDatabase.lock(path: path)
        let database: BrainDatabase
        do {
            database = try BrainDatabase(path: path, synchronous: synchronous)
        } catch let error as DatabaseOpenError {
            lock.release()
            throw error
        } catch {
            lock.release()
            throw StartupError.cannotOpenDatabase(path, error: error)
        }
        return Opened(store: database) {
            try? database.close()
            lock.release()
        }
    }
}
