import ArgumentParser
import AsyncHTTPClient
import BrainCore
import BrainServer
import Foundation

/// `brain doctor`: checks what breaks installs, each with ok/warn/fail and a fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the installation: config, socket, database, disk, Mem0 and the clock; exits 1 on any failure.",
        discussion: """
            Run it as the user braind runs as. The Mem0 key is never printed: reachability is
            braind's own view when it runs, or a ping with MEM0_API_KEY from this environment.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The database file to check (default: the one braind reports, else as braind finds it).") var db: String?

    func run() async throws {
        var doctor = Doctor()
        await doctor.runChecks(global: global, databaseFlag: db)
        let report = doctor.report
        if global.json {
            try printJSON(report)
        } else {
            for check in report.checks {
                print("\(check.status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(check.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(check.detail)")
                if let fix = check.fix { print("      fix: \(fix)") }
            }
        }
        if !report.ok { throw ExitCode(1) }
    }
}

/// One line of the doctor's report.
struct DoctorCheck: Codable {
    enum Status: String, Codable { case ok, warn, fail }
    var name: String
    var status: Status
    var detail: String
    var fix: String?
}

struct DoctorReport: Codable {
    var ok: Bool
    var checks: [DoctorCheck]
}

/// The checks, in the order a broken install is usually found out.
struct Doctor {
    private(set) var checks: [DoctorCheck] = []
    var report: DoctorReport { DoctorReport(ok: !checks.contains { $0.status == .fail }, checks: checks) }

    /// WAL larger than this means checkpoints are held back (a stuck reader, a long export).
    static let walWarningBytes: Int64 = 256 << 20
    static let diskWarningBytes: Int64 = 1 << 30
    static let diskFailureBytes: Int64 = 100 << 20

    private mutating func add(_ name: String, _ status: DoctorCheck.Status, _ detail: String, fix: String? = nil) {
        checks.append(DoctorCheck(name: name, status: status, detail: detail, fix: status == .ok ? nil : fix))
    }

    mutating func runChecks(global: GlobalOptions, databaseFlag: String?) async {
        let environment = ProcessInfo.processInfo.environment
        let paths = RuntimePaths(environment: environment)
        let configuration = checkConfig(paths: paths, flag: global.config)
        let socketPath = paths.socket(flag: global.socket, configuration: configuration)
        let status = await checkSocket(socketPath, global: global)
        let databasePath = databaseFlag ?? status?.database ?? paths.database(flag: nil, configuration: configuration)
        let newestWrite = PostgresURL.isPostgresURL(databasePath)
            ? checkPostgres(databasePath, status: status) : checkDatabase(databasePath)
        let mem0Date = await checkMem0(status: status, configuration: configuration, environment: environment)
        checkClock(serverDate: mem0Date, newestWrite: newestWrite)
    }

    // MARK: - Config

    private mutating func checkConfig(paths: RuntimePaths, flag: String?) -> BrainConfiguration? {
        guard let file = paths.configFile(flag: flag) else {
            add("config", .ok, "no configuration file; braind uses its defaults")
            return nil
        }
        do {
            let configuration = try BrainConfiguration.load(path: file)
            add("config", .ok, "\(file) is valid (no unknown keys)")
            return configuration
        } catch {
            add("config", .fail, "\(error)", fix: "fix or remove that key in \(file); config/braind.toml documents every key")
            return nil
        }
    }

    // MARK: - Socket

    private mutating func checkSocket(_ path: String, global: GlobalOptions) async -> StatusReport? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            add("socket", .fail, "no socket at \(path): braind is not running there",
                fix: "start braind (systemctl --user start braind, or braind), or pass --socket / BRAIND_SOCKET")
            return nil
        }
        guard info.st_mode & 0o170000 == 0o140000 else {
            add("socket", .fail, "\(path) exists but is not a socket", fix: "remove it and start braind again")
            return nil
        }
        var problems: [String] = []
        if info.st_mode & 0o077 != 0 { problems.append("mode \(String(info.st_mode & 0o777, radix: 8)) (braind makes it 0600)") }
        var directory = stat()
        if stat((path as NSString).deletingLastPathComponent, &directory) == 0, directory.st_mode & 0o077 != 0 {
            problems.append("its directory is mode \(String(directory.st_mode & 0o777, radix: 8)) (braind makes it 0700)")
        }
        if info.st_uid != getuid() && getuid() != 0 { problems.append("owned by uid \(info.st_uid), not you (\(getuid()))") }
        do {
            let client = try global.client()
            let status = try await client.status()
            if problems.isEmpty {
                add("socket", .ok, "\(path) answers (braind \(status.version), pid \(status.pid))")
            } else {
                add("socket", .warn, "\(path) answers, but " + problems.joined(separator: "; "),
                    fix: "restart braind with its default umask handling, and keep the socket private to its user")
            }
            return status
        } catch let error as DaemonClientError {
            add("socket", .fail, "\(path): \(error)", fix: "start braind, or fix the permissions named; `brain status` shows the same")
        } catch {
            add("socket", .fail, "\(path): \(error)", fix: "start braind (systemctl --user start braind)")
        }
        return nil
    }

    // MARK: - Database

    /// A PostgreSQL store is checked through braind, which holds the connections: brain links no
    /// database driver, and braind refuses to start, saying why, when it cannot reach the server.
    private mutating func checkPostgres(_ url: String, status: StatusReport?) -> Date? {
        let shown = (try? PostgresURL(url, environment: [:]).redacted) ?? "the configured PostgreSQL URL"
        guard let status else {
            add("database", .warn, "\(shown): PostgreSQL is checked through braind, which is not running",
                fix: "start braind: it connects at start and exits with the reason if it cannot (braind --db URL)")
            return nil
        }
        if let problem = status.storageProblem {
            add("database", .fail, "\(shown): \(problem)",
                fix: "check that the PostgreSQL server is up and reachable; braind reconnects by itself once it is")
        } else {
            let version = status.store.map { "PostgreSQL \($0.version)" } ?? "PostgreSQL"
            let memories = status.brains.values.reduce(0) { $0 + $1.live }
            add("database", .ok, "\(version) at \(shown): answering, \(memories) memories")
        }
        return nil
    }

    /// Checks the file, its WAL and the disk; returns the newest write time found, for the clock check.
    private mutating func checkDatabase(_ path: String) -> Date? {
        var newest: Date?
        do {
            let answer = try BraindInspect.run(path: path)
            let facts = answer.inspection
            if !facts.isSound {
                add("database", .fail, "\(path) fails its integrity check: \(facts.integrity)",
                    fix: "stop braind and restore the latest backup: braind restore FILE")
            } else if facts.isNewerThanBinary {
                add("database", .fail, "\(path) has schema \(facts.unknownMigrations.joined(separator: ", ")), newer than the installed braind (\(answer.binarySchemaVersion))",
                    fix: "install the braind and brain that wrote it (make install from the same checkout)")
            } else {
                let memories = facts.memories.values.reduce(0, +)
                add("database", .ok, "\(path): integrity ok, schema \(facts.schemaVersion ?? "none"), \(memories) memories, \(formatBytes(facts.bytes))")
                if !facts.pendingMigrations.isEmpty {
                    add("schema", .warn, "\(facts.pendingMigrations.count) migrations not applied yet (\(facts.pendingMigrations.joined(separator: ", ")))",
                        fix: "restart braind: it migrates the database at start")
                }
            }
            newest = facts.newestWrite.flatMap(Timestamp.date(from:))
        } catch .missing {
            add("database", .warn, "\(path) does not exist yet", fix: "braind creates it at its first start; pass --db if braind uses another file")
            checkDisk((path as NSString).deletingLastPathComponent)
            return nil
        } catch {
            add("database", .fail, "\(error)", fix: "point braind at its database (--db, BRAIND_DB, storage.database) or restore a backup")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            add("db-perms", .warn, "\(path) is mode \(String(info.st_mode & 0o777, radix: 8)); memories are private", fix: "chmod 600 \(path)")
        }
        var wal = stat()
        let walBytes: Int64 = stat(path + "-wal", &wal) == 0 ? Int64(wal.st_size) : 0
        if walBytes > Self.walWarningBytes {
            add("wal", .warn, "the WAL is \(formatBytes(walBytes)): checkpoints are held back by a long read",
                fix: "let running exports and backups finish; restarting braind checkpoints it")
        } else {
            add("wal", .ok, "WAL \(formatBytes(walBytes))")
        }
        checkDisk((path as NSString).deletingLastPathComponent)
        return newest
    }

    private mutating func checkDisk(_ directory: String) {
        var info = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else {
            add("disk", .warn, "cannot read free space of \(directory)", fix: "check that the directory exists")
            return
        }
        let free = Int64(info.f_bavail) * Int64(info.f_frsize)
        let detail = "\(formatBytes(free)) free in \(directory)"
        if free < Self.diskFailureBytes {
            add("disk", .fail, detail, fix: "free space: with a full disk braind answers writes with 503 storage_unavailable")
        } else if free < Self.diskWarningBytes {
            add("disk", .warn, detail, fix: "free some space before the disk fills; saves need room for the WAL")
        } else {
            add("disk", .ok, detail)
        }
    }

    // MARK: - Mem0 and clock

    /// Reports Mem0's state; returns Mem0's clock (its `Date` header) when this command pinged it.
    private mutating func checkMem0(status: StatusReport?, configuration: BrainConfiguration?, environment: [String: String]) async -> Date? {
        if let status {
            switch status.mem0.state {
            case "ok": add("mem0", .ok, "braind reaches Mem0 with its key")
            case "starting": add("mem0", .ok, "braind is checking its Mem0 key")
            case "auth_failed":
                add("mem0", .fail, "Mem0 refuses braind's key (401/403)", fix: "set a valid MEM0_API_KEY in braind's environment and restart it")
            case "unreachable":
                add("mem0", .fail, "braind cannot reach Mem0\(status.mem0.lastError.map { ": \($0)" } ?? "")",
                    fix: "check the network and MEM0_BASE_URL; saves stay local and are pushed once Mem0 answers")
            default:
                add("mem0", .warn, "braind runs offline (\(status.mem0.state))",
                    fix: "set MEM0_API_KEY in braind's environment (for the systemd unit: ~/.config/braind/env) to sync with Mem0")
            }
            return nil
        }
        guard let key = environment["MEM0_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) ?? configuration?.mem0APIKey else {
            add("mem0", .warn, "no MEM0_API_KEY here and braind is not running to ask", fix: "set MEM0_API_KEY to sync with Mem0")
            return nil
        }
        let base = environment["MEM0_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration?.mem0BaseURL ?? "https://api.mem0.ai"
        var request = HTTPClientRequest(url: base.trimmingSuffix("/") + "/v1/ping/")
        request.headers.add(name: "Authorization", value: "Token \(key)")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 16)
            let date = response.headers.first(name: "Date").flatMap(Self.httpDate)
            switch response.status.code {
            case 200..<300: add("mem0", .ok, "\(base) accepts the key")
            case 401, 403: add("mem0", .fail, "\(base) refuses the key (HTTP \(response.status.code))", fix: "set a valid MEM0_API_KEY")
            default: add("mem0", .warn, "\(base) answered HTTP \(response.status.code) to a ping", fix: "try again later; check MEM0_BASE_URL")
            }
            return date
        } catch {
            add("mem0", .fail, "cannot reach \(base): \(error)", fix: "check the network and MEM0_BASE_URL")
            return nil
        }
    }

    private mutating func checkClock(serverDate: Date?, newestWrite: Date?) {
        let now = Date()
        if let serverDate {
            let skew = now.timeIntervalSince(serverDate)
            let detail = String(format: "%.0f s from Mem0's clock", skew)
            if abs(skew) > 300 {
                add("clock", .fail, detail, fix: "enable time sync (timedatectl set-ntp true)")
            } else if abs(skew) > 60 {
                add("clock", .warn, detail, fix: "enable time sync (timedatectl set-ntp true)")
            } else {
                add("clock", .ok, detail)
            }
            return
        }
        if let newestWrite, newestWrite.timeIntervalSince(now) > 300 {
            add("clock", .warn, "the database holds writes \(Int(newestWrite.timeIntervalSince(now))) s in the future: the clock went back",
                fix: "enable time sync (timedatectl set-ntp true); timestamps and Mem0 ordering use it")
        } else {
            add("clock", .ok, "\(Timestamp.now()) (no newer write in the database; not compared with a server)")
        }
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
