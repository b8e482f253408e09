@testable import BrainCore
@testable import BrainStoreSQLite
import BrainTestSupport
import Foundation
import GRDB
import Testing

/// The search index lives in its own file and follows the store after saves commit: these prove
/// that a search still sees every acknowledged save, and that an index that does not match its
/// store (missing, foreign, damaged, older, or ahead after a restore) is rebuilt, never trusted.
struct SearchIndexTests {
    /// The index never follows unasked here: only searches make it catch up.
    private static let lazy = SearchIndex.Timing(delay: .seconds(3_600), pruneInterval: .seconds(3_600))
    private static let eager = SearchIndex.Timing(delay: .milliseconds(1), pruneInterval: .zero)

    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("brain.sqlite").path)
    }

    /// Replaces a closed database file (and its WAL and shared memory) with a copy of another.
    private func replace(_ file: String, with copy: String) throws {
        for suffix in ["", "-wal", "-shm"] { unlink(file + suffix) }
        try FileManager.default.copyItem(atPath: copy, toPath: file)
    }

    private func open(_ path: String, _ timing: SearchIndex.Timing = lazy) throws -> BrainDatabase {
        try BrainDatabase(path: path, synchronous: .full, searchIndex: timing)
    }

    private func slugs(_ database: BrainDatabase, _ query: String, rut: String = companyRUT) async throws -> [String] {
        try await database.searchLocal(.company, owner: try owner(rut), query: query).map(\.memory.slug)
    }

    @Test("Every save acknowledged before a search is found by it, though the index had not followed it yet")
    func searchSeesAcknowledgedSaves() async throws {
        try await withDirectory { path in
            let database = try open(path)
            defer { try? database.close() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    group.addTask {
                        let body = String(10_000_000 + index)
                        let rut = body + "-" + String(RUT.checkDigit(forBody: body))
                        _ = try await database.save(.company, owner: try owner(rut), memories: [memory("note", "palabra\(index) comun")])
                        #expect(try await slugs(database, "palabra\(index)", rut: rut) == ["note"])
                    }
                }
                try await group.waitForAll()
            }
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("later", "tardia")])
            let behind = database.searchIndex.progress.indexedThrough
            let listed = try await database.storageRead { db in try SearchIndexSQL.lastChange(db) }
            #expect(behind < listed, "the index had not followed the last save, so the search below must make it")
            #expect(try await slugs(database, "tardia") == ["later"])
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("later", "cambiada")])
            #expect(try await slugs(database, "tardia").isEmpty, "replaced text is not found")
            #expect(try await slugs(database, "cambiada") == ["later"])
        }
    }

    @Test("Saves are followed without a search, and the followed list is pruned; a reopened store keeps its index")
    func followsAndPrunes() async throws {
        try await withDirectory { path in
            let database = try open(path, Self.eager)
            for index in 0..<20 {
                _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("m\(index)", "texto \(index)")])
            }
            var followed = false
            for _ in 0..<200 where !followed {
                try await Task.sleep(for: .milliseconds(10))
                let remaining = try await database.storageRead { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_changes") ?? -1 }
                followed = remaining == 0
            }
            #expect(followed, "the index followed every save and the list was pruned behind it")
            #expect(database.searchIndex.progress.indexedThrough >= 20)
            try database.close()

            let reopened = try open(path)
            defer { try? reopened.close() }
            #expect(try await slugs(reopened, "texto").count == 10)
            #expect(reopened.searchIndex.progress.rebuilds == 0, "a matching index is kept")
        }
    }

    @Test("A missing, damaged or foreign index file is rebuilt from the brain tables")
    func missingDamagedForeign() async throws {
        try await withDirectory { path in
            let index = BrainDatabase.searchIndexPath(of: path)
            let database = try open(path)
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("a", "alfa")])
            try database.close()

            for suffix in ["", "-wal", "-shm"] { unlink(index + suffix) }
            var reopened = try open(path)
            #expect(try await slugs(reopened, "alfa") == ["a"])
            #expect(reopened.searchIndex.progress.rebuilds == 1)
            try reopened.close()

            for suffix in ["-wal", "-shm"] { unlink(index + suffix) }
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: index))
            reopened = try open(path)
            #expect(try await slugs(reopened, "alfa") == ["a"])
            #expect(reopened.searchIndex.progress.rebuilds == 1)
            try reopened.close()

            // Another store's index: the same RUT and row numbers, other words (and owner ids).
            let otherPath = path + ".other"
            let other = try open(otherPath)
            _ = try await other.save(.company, owner: try owner(companyRUT), memories: [memory("a", "beta")])
            _ = try await slugs(other, "beta")
            try other.close()
            try replace(index, with: BrainDatabase.searchIndexPath(of: otherPath))
            reopened = try open(path)
            defer { try? reopened.close() }
            #expect(try await slugs(reopened, "alfa") == ["a"])
            #expect(try await slugs(reopened, "beta").isEmpty)
            #expect(reopened.searchIndex.progress.rebuilds == 1)
        }
    }

    @Test("An index ahead of its store (the store put back from a copy) or behind what was pruned (an older index) is rebuilt")
    func aheadOrBehind() async throws {
        try await withDirectory { path in
            let index = BrainDatabase.searchIndexPath(of: path)
            var database = try open(path, Self.eager)
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("a", "uno")])
            #expect(try await slugs(database, "uno") == ["a"])
            try database.close()
            try FileManager.default.copyItem(atPath: path, toPath: path + ".copy")
            try FileManager.default.copyItem(atPath: index, toPath: index + ".copy")

            database = try open(path, Self.eager)
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("a", "dos")])
            #expect(try await slugs(database, "dos") == ["a"])
            try await Task.sleep(for: .milliseconds(50))
            _ = try await slugs(database, "dos")
            try database.close()

            // The store put back as it was, beside the newer index: "dos" must not be found.
            try replace(path, with: path + ".copy")
            database = try open(path)
            #expect(try await slugs(database, "dos").isEmpty)
            #expect(try await slugs(database, "uno") == ["a"])
            #expect(database.searchIndex.progress.rebuilds == 1)
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("a", "tres")])
            #expect(try await slugs(database, "tres") == ["a"])
            try database.close()

            // Now an older index: it never saw "tres", and the list holding it may be pruned.
            database = try open(path, Self.eager)
            _ = try await slugs(database, "tres")
            try await Task.sleep(for: .milliseconds(50))
            _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("b", "cuatro")])
            _ = try await slugs(database, "cuatro")
            try await Task.sleep(for: .milliseconds(50))
            _ = try await slugs(database, "cuatro")
            try database.close()
            try replace(index, with: index + ".copy")
            database = try open(path)
            defer { try? database.close() }
            #expect(try await slugs(database, "tres") == ["a"])
            #expect(try await slugs(database, "cuatro") == ["b"])
            #expect(try await slugs(database, "uno").isEmpty)
            #expect(database.searchIndex.progress.rebuilds == 1)
        }
    }

    @Test("A store from before the index had its own file keeps its rows searchable: the old index is dropped and the new one built")
    func upgradeFromIndexInTheStore() async throws {
        try await withDirectory { path in
            let queue = try DatabaseQueue(path: path)
            try BrainDatabase.migrator.migrate(queue, upTo: "0007_mem0_target")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO companies (id, rut, created_at, updated_at) VALUES ('c1', '123456785', 'now', 'now');
                    INSERT INTO company_brain (id, company_id, slug, category, content, created_at, updated_at)
                    VALUES ('r1', 'c1', 'company_tax_regime', 'company_tax', 'Régimen tributario: ProPyme General', 'now', 'now');
                    """)
            }
            try queue.close()

            let database = try open(path)
            defer { try? database.close() }
            #expect(try await slugs(database, "regimen propyme") == ["company_tax_regime"])
            let leftovers = try await database.storageRead { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE '%search%' ORDER BY name")
            }
            #expect(leftovers == [
                "company_brain_search_delete", "company_brain_search_insert", "company_brain_search_update", "search_changes",
                "user_brain_search_delete", "user_brain_search_insert", "user_brain_search_update",
            ], "no FTS5 table is left in the store, only the list of changes and its triggers")
        }
    }
}
