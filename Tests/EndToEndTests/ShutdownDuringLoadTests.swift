import BrainCore
import BrainStoreSQLite
import BrainServer
import BrainTestSupport
import Foundation
import Synchronization
import Testing

/// Bulk work stops at shutdown after its current slice instead of holding the daemon for all of it.
@Suite(.timeLimit(.minutes(3)), .enabled(if: TestStoreKind.current == .sqlite, "seeds owners straight into the SQLite file"))
struct ShutdownDuringLoadTests {
    /// `count` companies with every field, so each yields five memories.
    static func companiesCSV(count: Int) -> String {
        var lines = [
            "rut,business_name,tax_regime,sii_activity_name,sii_activity_code,legal_representative_name,"
                + "legal_representative_rut,start_of_activities,accounting_start_month"
        ]
        for index in 0..<count {
            let body = String(77_000_000 + index)
            lines.append(
                "\(body)-\(RUT.checkDigit(forBody: body)),Empresa \(index) SpA,ProPyme General,Comercio,471000,"
                    + "Representante \(index),15.234.567-4,2020-03-15,2021-01")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("SIGTERM during a load of every company stops braind after the current owner, not after the whole load")
    func sigtermDuringLoad() async throws {
        // Given 10,000 imported companies and a load of all of them under way. Enough that the load
        // outlasts the client's first progress lines on a busy machine: with 3,000 a full test
        // run once saw the whole load finish before the client read that 20 owners were done.
        let daemon = try await DaemonProcess(logLevel: "info")
        defer { daemon.removeDirectory() }
        let total = 10_000
        let imported = try await daemon.client.importOwners("companies", data: Data(Self.companiesCSV(count: total).utf8))
        #expect(imported.created == total)
        let done = Progress()
        let client = daemon.client
        async let load: Result<Data, any Error> = {
            do {
                return .success(try await client.loadAll(.company) { finished, _ in done.record(finished) })
            } catch {
                return .failure(error)
            }
        }()
        while done.value < 20 { try await Task.sleep(for: .milliseconds(5)) }

        // When braind is asked to stop
        let status = try await daemon.stop()

        // Then it exits cleanly with the load cut short, and the client is told why
        #expect(status == 0)
        guard case .failure(let error) = await load else {
            Issue.record("the load ran to completion before braind stopped")
            return
        }
        // The shutdown line usually reaches the client; on a loaded machine the connection can
        // close before it is flushed, and the client sees the stream cut. Either way it is told.
        #expect("\(error)".contains("stopping") || "\(error)".contains("stream ended"), "\(error)")
        let database = try BrainDatabase(path: daemon.databasePath)
        let loaded = try await database.counts(.company).live
        try database.close()
        #expect(loaded > 0 && loaded < total * 5, "\(loaded) memories of \(total * 5) were loaded")
    }
}

/// Owners loaded so far, written by the client's progress callback.
private final class Progress: Sendable {
    private let storage = Mutex(0)

    func record(_ done: Int) { storage.withLock { $0 = done } }

    var value: Int { storage.withLock { $0 } }
}
