import BrainCore
import BrainServer
import BrainTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)), .enabled(if: TestStoreKind.current == .sqlite, "deletes the SQLite file under braind; a lost PostgreSQL is BrainStorePostgresTests' availability suite"))
struct DatabaseFileLossEndToEndTests {
    @Test("Deleting the database under braind: saves and reads answer 503 storage_unavailable, logged once")
    func deletedUnderDaemon() async throws {
        let daemon = try await DaemonProcess()
        defer { daemon.removeDirectory() }
        let client = daemon.client
        let memory = MemoryInput(slug: "company_tax_regime", content: "Régimen tributario: ProPyme General")
        #expect(try await client.save(.company, owner: "12.345.678-5", memories: [memory]).items.map(\.status) == [.created])

        try FileManager.default.removeItem(atPath: daemon.databasePath)
        for _ in 0..<3 {
            let later = MemoryInput(slug: "company_activity", content: "Giro: comercio")
            await #expect(throws: DaemonClientError.api(status: 503, code: "storage_unavailable", message: "")) {
                do {
                    _ = try await client.save(.company, owner: "12.345.678-5", memories: [later])
                } catch DaemonClientError.api(let status, let code, _) {
                    throw DaemonClientError.api(status: status, code: code, message: "")
                }
            }
            await #expect(throws: DaemonClientError.api(status: 503, code: "storage_unavailable", message: "")) {
                do {
                    _ = try await client.memory(.company, owner: "123456785", slug: "company_tax_regime")
                } catch DaemonClientError.api(let status, let code, _) {
                    throw DaemonClientError.api(status: status, code: code, message: "")
                }
            }
        }
        #expect(try await client.ping().ok, "liveness still answers")
        try await daemon.stop()
        let lines = daemon.readStderr().split(separator: "\n").filter { $0.contains(daemon.databasePath) && $0.contains("deleted") }
        #expect(lines.count == 1, "one log line says what happened: \(daemon.readStderr().suffix(2_000))")
    }
}
