@testable import BrainCore
@testable import BrainStoreSQLite
import Foundation
import GRDB
import BrainTestSupport
import Testing

struct BackupRestoreTests {
    /// A file database holding a few memories, in `directory`.
    private func makeFileDatabase(in directory: URL, name: String = "brain.sqlite") async throws -> BrainDatabase {
        let database = try BrainDatabase(path: directory.appendingPathComponent(name).path)
        _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("company_tax_regime", "ProPyme General", category: "company_tax")])
        _ = try await database.save(.user, owner: try owner(userRUT), memories: [memory("user_full_name", "Juan Pérez"), memory("user_email", "juan@example.com")])
        return database
    }

    /// Runs `body` on such a database in a new directory, then closes it and removes the directory.
    private func withFileDatabase(_ body: (URL, BrainDatabase) async throws -> Void) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await makeFileDatabase(in: directory)
        defer { try? database.close() }
        try await body(directory, database)
    }

    @Test("A backup is a sound, self-contained copy with the counts of the source")
    func backupIsSound() async throws {
        try await withFileDatabase { directory, database in
            let target = directory.appendingPathComponent("backup.sqlite").path
            let report = try await database.backup(to: target)

            #expect(report.inspection.integrity == "ok")
            #expect(report.inspection.memories == ["company": 1, "user": 2])
            #expect(report.inspection.schemaVersion == DatabaseInspection.binarySchemaVersion)
            #expect(report.inspection.bytes > 0)
            #expect(!FileManager.default.fileExists(atPath: target + "-wal"))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".partial-") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("Backups at once and in turn leave the writer's automatic checkpoints as they were")
    func backupsRestoreCheckpoints() async throws {
        try await withFileDatabase { directory, database in
            let before = try database.pragma("wal_autocheckpoint")

            // A backup pauses them while it runs; overlapping backups must not leave them paused.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<3 {
                    group.addTask { _ = try await database.backup(to: directory.appendingPathComponent("at-once-\(index).sqlite").path) }
                }
                try await group.waitForAll()
            }
            _ = try await database.backup(to: directory.appendingPathComponent("alone.sqlite").path)

            #expect(before == "1000")
            #expect(try database.pragma("wal_autocheckpoint") == before)
        }
    }

    @Test("A backup refuses a relative path, an existing file without overwrite, and the database itself")
    func backupRefusesBadTargets() async throws {
        try await withFileDatabase { directory, database in
            let existing = directory.appendingPathComponent("existing.sqlite").path
            _ = FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))

            await #expect(throws: BrainError.self) { try await database.backup(to: "relative.sqlite") }
            await #expect(throws: BrainError.self) { try await database.backup(to: existing) }
            await #expect(throws: BrainError.self) { try await database.backup(to: database.path!) }
            #expect(FileManager.default.contents(atPath: existing) == Data("keep me".utf8))
            _ = try await database.backup(to: existing, overwrite: true)
            #expect(try DatabaseInspection.inspect(path: existing).memories["user"] == 2)
        }
    }

    @Test("A restore replaces the database and keeps the old one beside it, WAL folded in")
    func restoreReplacesAndKeeps() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try await makeFileDatabase(in: directory, name: "source.sqlite")
        let backup = directory.appendingPathComponent("backup.sqlite").path
        _ = try await source.backup(to: backup)
        try source.close()
        // The database to replace holds other rows.
        let current = directory.appendingPathComponent("brain.sqlite").path
        let other = try BrainDatabase(path: current)
        _ = try await other.save(.company, owner: try owner("76.086.428-5"), memories: [memory("company_activity", "Comercio")])
        try other.close()

        let report = try DatabaseRestore.restore(from: backup, into: current, now: Date(timeIntervalSince1970: 1_700_000_000))

        #expect(report.previous == current + ".before-restore-20231114-221320")
        #expect(try DatabaseInspection.inspect(path: current).memories == ["company": 1, "user": 2])
        #expect(try DatabaseInspection.inspect(path: report.previous!).memories == ["company": 1, "user": 0])
        #expect(!FileManager.default.fileExists(atPath: current + "-wal"))
        let reopened = try BrainDatabase(path: current)
        #expect(try await reopened.memory(.user, owner: try owner(userRUT), slug: "user_full_name").content == "Juan Pérez")
        try reopened.close()
    }

    @Test("A restore refuses a file that is not SQLite, not braind's, unsound or newer, and changes nothing")
    func restoreRefuses() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let current = directory.appendingPathComponent("brain.sqlite").path
        let database = try await makeFileDatabase(in: directory)
        try database.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: current))

        let text = directory.appendingPathComponent("notes.txt").path
        _ = FileManager.default.createFile(atPath: text, contents: Data("hello".utf8))
        #expect(throws: RestoreError.file(.notSQLite(path: text))) { try DatabaseRestore.restore(from: text, into: current) }

        let foreign = directory.appendingPathComponent("foreign.sqlite").path
        try await DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: RestoreError.file(.notBraind(path: foreign, missingTable: "grdb_migrations"))) {
            try DatabaseRestore.restore(from: foreign, into: current)
        }

        let newer = directory.appendingPathComponent("newer.sqlite").path
        try FileManager.default.copyItem(atPath: current, toPath: newer)
        try await DatabaseQueue(path: newer).write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('9999_future')") }
        #expect(throws: RestoreError.newerThanBinary(path: newer, migrations: ["9999_future"])) {
            try DatabaseRestore.restore(from: newer, into: current)
        }

        #expect(throws: RestoreError.file(.missing(path: directory.path + "/absent.sqlite"))) {
            try DatabaseRestore.restore(from: directory.path + "/absent.sqlite", into: current)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: current)) == before)
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("before-restore") || $0.contains("restoring") }
        #expect(kept.isEmpty)
    }
}
