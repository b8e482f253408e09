import BrainCore
import BrainServer
import BrainStorePostgres
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

/// Rows another program writes straight into PostgreSQL (the seed's service, psql, a dashboard)
/// reach Mem0 like saves, woken by the database's notification rather than the sync interval.
@Suite(.timeLimit(.minutes(2)), .enabled(if: TestStoreKind.current == .postgresql, "rows written into PostgreSQL by other programs"))
struct ExternalWriteEndToEndTests {
    @Test("SQL INSERT, UPDATE and DELETE of brain rows reach fake-mem0 within the wake-up latency, a refused row shows in brain list --failed, and a second reconcile finds zero drift")
    func sqlWritesReachMem0() async throws {
        let fake = FakeMem0Server()
        try await fake.start()
        let directory = try makeShortTemporaryDirectory()
        // A sync interval of 10 minutes: only the database's notification can wake the worker in time.
        let config = directory + "/braind.toml"
        try "[sync]\ninterval_seconds = 600\n\n[reconcile]\ninterval_seconds = 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(
            directory: directory, extraArguments: ["--config", config],
            environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
        defer { daemon.removeDirectory() }
        let url = try PostgresURL(daemon.databasePath)
        let acme = "12.345.678-5"
        func sql(_ statement: String) async throws { try await PostgresAdmin.run(url, statement) }
        func remote() async -> [String: String] {
            Dictionary(await fake.memories().compactMap { memory in memory.metadata?["slug"]?.stringValue.map { ($0, memory.memory) } },
                       uniquingKeysWith: { first, _ in first })
        }
        func waitForRemote(_ condition: ([String: String]) -> Bool) async throws -> Duration? {
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(30) {
                if condition(await remote()) { return ContinuousClock.now - started }
                try await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }

        // The daemon has taken its first (empty) push round; now only wake-ups move rows.
        try await Task.sleep(for: .milliseconds(500))
        try await sql("INSERT INTO companies (rut) VALUES ('123456785') ON CONFLICT (rut) DO NOTHING")
        try await sql("INSERT INTO company_brain (company_id, slug, content) SELECT id, 'regime', 'ProPyme General' FROM companies WHERE rut = '123456785'")
        let insertLatency = try await waitForRemote { $0["regime"] == "ProPyme General" }
        try await sql("UPDATE company_brain SET content = 'Régimen General' WHERE slug = 'regime'")
        let updateLatency = try await waitForRemote { $0["regime"] == "Régimen General" }
        try await sql("DELETE FROM company_brain WHERE slug = 'regime'")
        let deleteLatency = try await waitForRemote { $0["regime"] == nil }
        print("[external-writes] SQL write to Mem0: insert \(insertLatency.map { "\($0)" } ?? "never"), update \(updateLatency.map { "\($0)" } ?? "never"), delete \(deleteLatency.map { "\($0)" } ?? "never") (sync interval 600 s)")
        #expect(insertLatency != nil)
        #expect(updateLatency != nil)
        #expect(deleteLatency != nil)
        #expect(try await daemon.client.list(.company, owner: acme).memories.isEmpty, "the tombstone was purged once Mem0's copy was gone")

        try await sql("INSERT INTO company_brain (company_id, slug, content) SELECT id, 'Not A Slug', 'x' FROM companies WHERE rut = '123456785'")
        let failed = try await runCommand(Binaries.url("brain"), ["list", "--failed", "--socket", daemon.socketPath])
        #expect(failed.status == 0)
        #expect(failed.stdout.contains("Not A Slug") && failed.stdout.contains("written outside braind"), "\(failed.stdout)\(failed.stderr)")
        try await sql("DELETE FROM company_brain WHERE slug = 'Not A Slug'")

        try await sql("INSERT INTO company_brain (company_id, slug, content) SELECT id, 'activity', 'Asesoría contable' FROM companies WHERE rut = '123456785'")
        #expect(try await waitForRemote { $0["activity"] == "Asesoría contable" } != nil)
        var drift: [Int] = []
        for _ in 0..<2 {
            let run = try await daemon.client.startReconcile(ReconcileOptions())
            var report = run
            for _ in 0..<600 where report.status == "running" {
                try await Task.sleep(for: .milliseconds(50))
                report = try await daemon.client.reconcileRun(id: run.runID)
            }
            #expect(report.status == "succeeded")
            drift.append(report.driftFound)
        }
        print("[external-writes] reconcile drift: \(drift)")
        #expect(drift.last == 0)
        #expect(await fake.memories().count == 1)
        try await daemon.stop()
        await fake.stop()
    }
}
