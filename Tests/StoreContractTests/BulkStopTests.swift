@testable import BrainCore
import Foundation
import BrainTestSupport
import Testing

/// Bulk work stops between slices when asked (at shutdown), keeping what it wrote.
struct BulkStopTests {
    @Test("A load of every company stops after the owner in progress when a stop is requested")
    func loadStops() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importCompanies(Data(LoadFixtures.companiesCSV(count: 50).utf8))
        let stop = StopSignal()

        await #expect(throws: BulkWorkStopped(
            work: "load of every company", done: 10, total: 50,
            advice: "run the load again once braind is back: what was loaded is kept and unchanged owners are skipped")
        ) {
            try await database.loadAllCompanies(progress: { done, _ in if done == 10 { stop.request() } }, stop: stop)
        }

        #expect(try await database.counts(.company).live == LoadFixtures.companyMemories(count: 10))
        let rest = try await database.loadAllCompanies()
        #expect(rest.totalMemoriesCreated == LoadFixtures.companyMemories(count: 50) - LoadFixtures.companyMemories(count: 10))
    }

    @Test("An import asked to stop writes nothing more and says how far it got")
    func importStops() async throws {
        let database = try await makeTestDatabase()
        let stop = StopSignal()
        stop.request()

        await #expect(throws: BulkWorkStopped.self) {
            try await database.importUsers(Data(LoadFixtures.usersJSONL(count: 10).utf8), stop: stop)
        }

        #expect(try await LoadFixtures.ownerRow(database, .user, rut: LoadFixtures.rut(body: 20_000_001)).isEmpty)
    }
}
