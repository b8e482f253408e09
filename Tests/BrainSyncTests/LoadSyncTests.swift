@testable import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Testing

/// The limit only ends a hang: alone this takes about 65 s on PostgreSQL (debug build), and in
/// `make test` it shares 2 cores with the sync suites and kill -9 proofs (150-180 s seen).
@Suite(.timeLimit(.minutes(6)))
struct LoadSyncTests {
    static func rut(_ body: Int) -> String { "\(body)-\(RUT.checkDigit(forBody: String(body)))" }

    @Test("Load-all of 1,000 companies and 2,000 users; with fake-mem0 online everything ends synced, once")
    func loadAllThenSync() async throws {
        try await PushFixture.with(concurrency: 16) { f in
            var companies = ["rut,business_name,tax_regime,sii_activity_name,sii_activity_code,start_of_activities"]
            for index in 0..<1_000 {
                companies.append("\(Self.rut(77_000_000 + index)),Empresa \(index) SpA,ProPyme General,Comercio al por menor,471000,2020-03-15")
            }
            let users = (0..<2_000).map { #"{"rut": "\#(Self.rut(21_000_000 + $0))", "full_name": "Persona Núñez \#($0)", "role": "Contadora"}"# }
            #expect(try await f.database.importCompanies(Data(companies.joined(separator: "\n").utf8)).imported == 1_000)
            #expect(try await f.database.importUsers(Data(users.joined(separator: "\n").utf8)).imported == 2_000)

            let loadedCompanies = try await f.database.loadAllCompanies()
            let loadedUsers = try await f.database.loadAllUsers()
            #expect((loadedCompanies.totalCompanies, loadedCompanies.loadedCompanies, loadedCompanies.failedCompanies) == (1_000, 1_000, 0))
            #expect((loadedUsers.totalUsers, loadedUsers.loadedUsers, loadedUsers.failedUsers) == (2_000, 2_000, 0))
            #expect(loadedCompanies.totalMemoriesCreated == 3_000, "tax regime, activity, start date")
            #expect(loadedUsers.totalMemoriesCreated == 4_000, "full name and role")

            var passes = 0
            while try await f.database.counts(.company).pending + f.database.counts(.user).pending > 0, passes < 100 {
                await f.worker.pushPending()
                passes += 1
            }
            let company = try await f.database.counts(.company)
            let user = try await f.database.counts(.user)
            #expect(company.synced == 3_000)
            #expect(user.synced == 4_000)
            let remote = await f.fake.memories()
            #expect(remote.count == 7_000)
            #expect(Set(remote.compactMap { $0.metadata?["record_id"] }).count == 7_000, "one remote memory per row")

            let again = try await f.database.loadAllCompanies()
            #expect(again.totalMemoriesCreated + again.totalMemoriesUpdated + again.totalMemoriesRemoved == 0)
            #expect(try await f.database.counts(.company).pending == 0, "a second load leaves nothing to push")
        }
    }
}
