import ArgumentParser
import BrainCore
import BrainStoreSQLite
import BrainServer
import Foundation

/// `braind restore FILE`: replaces the database with a backup while braind is stopped.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace braind's database with a backup (braind must be stopped).",
        discussion: """
            The file is checked first (a SQLite braind database, sound, not from a newer braind);
            then it replaces the database atomically and the old database is kept beside it as
            DATABASE.before-restore-YYYYMMDD-HHMMSS. Start braind afterwards: its first reconcile
            brings Mem0 back in line with the restored rows.
              brain backup /backups/brain-2025-01-31.sqlite     (while braind runs)
              systemctl --user stop braind
              braind restore /backups/brain-2025-01-31.sqlite
              systemctl --user start braind
            """)

    @Argument(help: "A backup made by `brain backup`.") var file: String
    @Option(help: "The database to replace (default: as braind: $BRAIND_DB, config, $XDG_DATA_HOME/braind/brain.sqlite).")
    var db: String?
    @Option(help: "braind's socket, to make sure braind is not running on it (default: as braind).") var socket: String?
    @Option(help: "TOML configuration file (default: as braind).") var config: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let settings: DaemonSettings
        do {
            settings = try DaemonSettings.resolve(
                flags: .init(socket: socket, database: db, config: config), paths: RuntimePaths(environment: environment),
                environment: environment)
        } catch {
            fail("\(error)", hint: "fix the configuration, or pass --db with the database path")
        }
        let source = Self.absolute(file)
        let database = Self.absolute(settings.databasePath)
        guard (source as NSString).resolvingSymlinksInPath != (database as NSString).resolvingSymlinksInPath else {
            fail("\(source) is the database itself", hint: "pass the backup file, made by `brain backup FILE`")
        }
        // Holding braind's own lock keeps a daemon from starting on the database mid-restore.
        umask(0o077)
        let guardian: SocketGuard
        do {
            guardian = try SocketGuard.acquire(socketPath: settings.socketPath)
        } catch .alreadyRunning(let pid, let socket) {
            fail("braind is running on \(socket)\(pid.map { " (pid \($0))" } ?? "")", hint: "stop it first (systemctl --user stop braind, or SIGTERM), then run the restore again")
        } catch {
            fail("\(error)", hint: "pass --socket with the socket braind uses, in a directory this user can write")
        }
        defer { guardian.release() }
        let report: RestoreReport
        do {
            report = try DatabaseRestore.restore(from: source, into: database)
        } catch {
            switch error {
            case .newerThanBinary: fail(error.description, hint: "restore it with the braind that made it, or upgrade this braind first")
            case .file, .notSound: fail(error.description, hint: "pass a file made by `brain backup FILE`; the database was not changed")
            case .io: fail(error.description, hint: "check free space and permissions in \((database as NSString).deletingLastPathComponent); the database was not changed")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
            return
        }
        let counts = report.inspection
        print("restored \(report.database) from \(source) (schema \(counts.schemaVersion ?? "none"))")
        print("  memories: company \(counts.memories["company"] ?? 0), user \(counts.memories["user"] ?? 0); companies \(counts.companies), users \(counts.users)")
        if let previous = report.previous { print("  the previous database is kept as \(previous)") }
        print("Start braind: its first reconcile brings Mem0 back in line with the restored rows.")
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private func fail(_ message: String, hint: String) -> Never {
        FileHandle.standardError.write(Data("Error: \(message)\nTry: \(hint)\n".utf8))
        Foundation.exit(1)
    }
}
