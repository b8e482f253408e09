import BrainCore
import BrainStoreSQLite
import BrainServer
import BrainTestSupport
import Foundation
import GRDB
import Testing

/// Moving a brain between machines: `brain export`, `brain import memories`.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ExportImportEndToEndTests {
    @Test("100,000 memories: export, import into an empty daemon, export again: the files are identical", .enabled(if: TestStoreKind.current == .sqlite, "seeds 100,000 rows straight into the SQLite file"))
    func roundTrip() async throws {
        // Given a daemon with 100,000 memories over 100 owners of both brains
        let directory = try makeShortTemporaryDirectory()
        let seeded = ContinuousClock.now
        try Self.seedWithSQL(directory + "/data/brain.sqlite", owners: 100, perOwner: 1_000)
        print("[round trip] seeded 100,000 memories in \(ContinuousClock.now - seeded)")
        let source = try await DaemonProcess(directory: directory, logLevel: "warning")
        defer { source.removeDirectory() }
        let brain = Binaries.url("brain")

        // When it is exported, imported into an empty daemon, and exported from there
        let first = source.directory + "/first.jsonl"
        var started = ContinuousClock.now
        let exported = try await runCommand(brain, ["export", "--output", first, "--socket", source.socketPath])
        let exportTime = ContinuousClock.now - started
        #expect(exported.status == 0, "\(exported.stderr)")
        let target = try await DaemonProcess(logLevel: "warning")
        defer { target.removeDirectory() }
        started = ContinuousClock.now
        let imported = try await runCommand(brain, ["import", "memories", first, "--json", "--socket", target.socketPath])
        let importTime = ContinuousClock.now - started
        #expect(imported.status == 0, "\(imported.stderr)")
        let second = target.directory + "/second.jsonl"
        #expect(try await runCommand(brain, ["export", "-o", second, "--socket", target.socketPath]).status == 0)

        // Then the two files are identical, and every memory was created
        let summary = try JSONDecoder().decode(MemoryImportResult.self, from: Data(imported.stdout.utf8))
        #expect(summary.lines == 100_000)
        #expect(summary.created == 100_000)
        #expect(summary.failed == 0)
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first))
        let secondBytes = try Data(contentsOf: URL(fileURLWithPath: second))
        #expect(firstBytes.count > 10_000_000)
        #expect(firstBytes == secondBytes)
        let counts = try await target.client.status().brains
        #expect(counts["company"]?.pending == 50_000)
        print("[round trip] export \(exportTime), import \(importTime) (\(firstBytes.count) bytes)")
    }

    /// Writes `owners` × `perOwner` memories straight into a new database, as the save path would
    /// store them (canonical metadata, FTS rows by trigger): 100,000 saves through a debug braind
    /// cost a minute of both cores, which slowed the timing-sensitive tests running beside this one.
    static func seedWithSQL(_ path: String, owners: Int, perOwner: Int) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try BrainDatabase(path: path).close()
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.write { db in
            for index in 0..<owners {
                let body = String(30_000_000 + index)
                let rut = body + RUT.checkDigit(forBody: body).lowercased()
                let brain: BrainKind = index % 2 == 0 ? .company : .user
                let ownerID = UUID().uuidString.lowercased()
                try db.execute(
                    sql: "INSERT INTO \(brain.ownerTable) (id, rut, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    arguments: [ownerID, rut, Timestamp.now(), Timestamp.now()])
                try db.execute(
                    sql: """
                        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                        INSERT INTO \(brain.table) (id, \(brain.ownerColumn), slug, category, content, extra_metadata, created_at, updated_at)
                        SELECT lower(hex(randomblob(16))), ?, 'fact_' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'cat_' || (i % 7) END,
                               'Dato ' || i || ' de ' || ? || ': "año" ' || (i * 7) || char(10) || 'línea 2',
                               CASE WHEN i % 5 = 0 THEN json_object('n', i, 'tag', 't' || (i % 4)) ELSE '{}' END,
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || i || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                        FROM n
                        """,
                    arguments: [perOwner, ownerID, rut])
            }
        }
    }

    @Test("An import reports bad lines by number, exits 1, and importing again changes nothing")
    func lineErrorsAndIdempotence() async throws {
        let daemon = try await DaemonProcess(logLevel: "warning")
        defer { daemon.removeDirectory() }
        let file = daemon.directory + "/memories.jsonl"
        let lines = [
            #"{"brain":"user","owner":"11.111.111-1","slug":"user_full_name","content":"Nombre completo: Juan Pérez","category":"user_profile"}"#,
            #"{"brain":"user","owner":"11.111.111-1","slug":"user_email""#,
            #"{"brain":"company","owner":"12.345.678-5","slug":"company_tax_regime","content":"ProPyme General","metadata":{"record_id":"x"}}"#,
            #"{"brain":"company","owner":"12.345.678-5","slug":"company_activity","content":"Comercio"}"#,
        ]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let brain = Binaries.url("brain")

        let first = try await runCommand(brain, ["import", "memories", file, "--socket", daemon.socketPath])
        let second = try await runCommand(brain, ["import", "memories", file, "--json", "--socket", daemon.socketPath])

        #expect(first.status == 1)
        #expect(first.stdout.contains("2 imported (2 created, 0 updated, 0 unchanged), 2 failed"), "\(first.stdout)")
        #expect(first.stdout.contains("line 2: not a JSON object"), "\(first.stdout)")
        #expect(first.stdout.contains("line 3 (company_tax_regime): metadata.record_id: is reserved"), "\(first.stdout)")
        let summary = try JSONDecoder().decode(MemoryImportResult.self, from: Data(second.stdout.utf8))
        #expect((summary.created, summary.unchanged, summary.failed) == (0, 2, 2))
        #expect(try await daemon.client.memory(.company, owner: "12.345.678-5", slug: "company_activity").content == "Comercio")

        let missing = try await runCommand(brain, ["import", "memories", daemon.directory + "/absent.jsonl", "--socket", daemon.socketPath])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Error: cannot read"), "\(missing.stderr)")
        #expect(missing.stderr.contains("Try: "), "\(missing.stderr)")
    }

    @Test("An export can be limited to one brain and one owner; a bad brain is a clear error")
    func exportFilters() async throws {
        let daemon = try await DaemonProcess(logLevel: "warning")
        defer { daemon.removeDirectory() }
        _ = try await daemon.client.save(.user, owner: "11.111.111-1", memories: [MemoryInput(slug: "a", content: "1"), MemoryInput(slug: "b", content: "2")])
        _ = try await daemon.client.save(.company, owner: "11.111.111-1", memories: [MemoryInput(slug: "c", content: "3")])
        let brain = Binaries.url("brain")

        let user = try await runCommand(brain, ["export", "--brain", "user", "--owner", "11111111-1", "--socket", daemon.socketPath])
        let bad = try await daemon.client.raw(.GET, "/v1/memories/export?brain=team")

        #expect(user.status == 0)
        #expect(user.stdout.split(separator: "\n").count == 2)
        #expect(user.stdout.hasPrefix(#"{"brain":"user","category":null,"content":"1","created_at":""#), "\(user.stdout)")
        #expect(bad.status == 422)
        #expect(String(decoding: bad.body, as: UTF8.self).contains("validation_failed"))
    }
}
