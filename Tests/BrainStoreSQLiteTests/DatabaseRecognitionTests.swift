@testable import BrainCore
@testable import BrainStoreSQLite
import Foundation
import GRDB
import BrainTestSupport
import Testing

/// braind opens only its own databases, and a new or empty file; anything else is refused before a
/// byte is written to it.
struct DatabaseRecognitionTests {
    private func withFile(_ body: (String) throws -> Void) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory.appendingPathComponent("brain.sqlite").path)
    }

    /// Opens `path` as braind would, expecting a refusal; returns its message. The file must be byte for byte as before.
    private func expectRefused(_ path: String) throws -> String {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var message = ""
        #expect(throws: DatabaseOpenError.self) {
            do {
                _ = try BrainDatabase(path: path)
            } catch {
                message = "\(error)"
                throw error
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the refused file was written to")
        return message
    }

    @Test("Another application's SQLite file is refused and left as it was")
    func foreignFile() throws {
        try withFile { path in
            let other = try DatabaseQueue(path: path)
            try other.write { db in
                try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')")
            }
            try other.close()
            let message = try expectRefused(path)
            #expect(message.contains(path) && message.contains("notes"), "\(message)")
            let reopened = try DatabaseQueue(path: path)
            #expect(try reopened.read { db in try db.tableExists("grdb_migrations") } == false)
        }
    }

    @Test("Another GRDB application's database (migrations that are not braind's) is refused")
    func otherGRDBApplication() throws {
        try withFile { path in
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in try db.execute(sql: "CREATE TABLE players (id INTEGER PRIMARY KEY)") }
            let other = try DatabaseQueue(path: path)
            try migrator.migrate(other)
            try other.close()
            let message = try expectRefused(path)
            #expect(message.contains("v1"), "\(message)")
        }
    }

    @Test("A database from a newer braind is refused, naming the migrations this braind does not know")
    func newerSchema() throws {
        try withFile { path in
            try BrainDatabase(path: path).close()
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_future')") }
            try queue.close()
            let message = try expectRefused(path)
            #expect(message.contains("0099_future") && message.contains("newer"), "\(message)")
        }
    }

    @Test("A file that is not SQLite at all is refused")
    func notSQLite() throws {
        try withFile { path in
            try "name,rut\nJuan,11.111.111-1\n".write(toFile: path, atomically: true, encoding: .utf8)
            let message = try expectRefused(path)
            #expect(message.contains(path), "\(message)")
        }
    }

    @Test("An empty file is a fresh database")
    func emptyFile() throws {
        try withFile { path in
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            let database = try BrainDatabase(path: path)
            #expect(try database.appliedMigrations() == EmbeddedSchema.migrations.map(\.identifier))
        }
    }

    @Test("A database from an older braind is migrated")
    func olderSchema() throws {
        try withFile { path in
            let queue = try DatabaseQueue(path: path)
            try BrainDatabase.migrator.migrate(queue, upTo: EmbeddedSchema.migrations[1].identifier)
            try queue.close()
            let database = try BrainDatabase(path: path)
            #expect(try database.appliedMigrations() == EmbeddedSchema.migrations.map(\.identifier))
        }
    }
}
