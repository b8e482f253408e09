@testable import BrainCore
@testable import BrainStoreSQLite
import Foundation
import GRDB
import BrainTestSupport
import Testing

struct MigrationTests {
    private static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema/sqlite")

    @Test("The embedded SQL equals schema/sqlite byte for byte (run scripts/embed-schema after editing)")
    func embeddedSchemaMatchesFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == EmbeddedSchema.migrations.map(\.identifier))
        for (file, migration) in zip(files, EmbeddedSchema.migrations) {
            let text = try String(contentsOf: Self.schemaDirectory.appendingPathComponent(file), encoding: .utf8)
            #expect(text == migration.sql, "\(file) differs from its embedded copy")
        }
    }

    @Test("A database file opens in WAL with synchronous=FULL and foreign keys on")
    func filePragmas() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try BrainDatabase(path: directory.appendingPathComponent("brain.sqlite").path)
        #expect(try database.pragma("journal_mode") == "wal")
        #expect(try database.pragma("synchronous") == "2")
        #expect(try database.pragma("foreign_keys") == "1")
        #expect(try database.appliedMigrations() == EmbeddedSchema.migrations.map(\.identifier))
        try database.close()

        let normal = try BrainDatabase(path: directory.appendingPathComponent("normal.sqlite").path, synchronous: .normal)
        #expect(try normal.pragma("synchronous") == "1")
    }

    @Test("Reopening a database keeps its rows and does not re-run migrations")
    func reopen() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("brain.sqlite").path
        let first = try BrainDatabase(path: path)
        _ = try await first.save(.user, owner: try owner(userRUT), memories: [memory("a", "x")])
        try first.close()
        let second = try BrainDatabase(path: path)
        #expect(try await second.memory(.user, owner: try owner(userRUT), slug: "a").content == "x")
    }

    @Test("Schema constraints: UNIQUE(owner, slug), memory_id UNIQUE but nullable, owner foreign key")
    func constraints() async throws {
        let database = try makeTestDatabase()
        _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("a", "x"), memory("b", "y")])
        try await database.writer.write { db in
            let ownerID = try String.fetchOne(db, sql: "SELECT id FROM companies")!
            let insert = """
                INSERT INTO company_brain (id, company_id, slug, content, created_at, updated_at, memory_id)
                VALUES (?, ?, ?, 'x', 'now', 'now', ?)
                """
            #expect(throws: DatabaseError.self) { try db.execute(sql: insert, arguments: ["i1", ownerID, "a", nil]) }
            #expect(throws: DatabaseError.self) { try db.execute(sql: insert, arguments: ["i2", "no-such-owner", "c", nil]) }
            try db.execute(sql: "UPDATE company_brain SET memory_id = 'm1' WHERE slug = 'a'")
            #expect(throws: DatabaseError.self) { try db.execute(sql: insert, arguments: ["i3", ownerID, "c", "m1"]) }
        }
    }
}
