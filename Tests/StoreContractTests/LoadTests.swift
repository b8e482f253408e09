@testable import BrainCore
import Foundation
import Synchronization
import BrainTestSupport
import Testing

struct LoadTests {
    @Test("Loading a company saves its memories; loading it again changes nothing")
    func loadCompanyTwice() async throws {
        // Given an imported company
        let database = try await makeTestDatabase()
        _ = try await database.importCompanies(Data(LoadFixtures.fullCompanyCSV.utf8))
        let company = try owner(LoadFixtures.companyRUT)

        // When it is loaded twice
        let first = try await database.loadCompany(company)
        let events = try await LoadFixtures.eventCount(database)
        let before = try await database.list(.company, owner: company).memories
        let second = try await database.loadCompany(company)

        // Then the first load creates every builder memory, the second is a no-op
        #expect((first.success, first.savedCount, first.failedCount, first.removedCount) == (true, 5, 0, 0))
        #expect(first.items.map(\.status) == Array(repeating: .created, count: 5))
        #expect(first.changedLocally)
        #expect(second.items.map(\.status) == Array(repeating: .unchanged, count: 5))
        #expect(!second.changedLocally)
        #expect(try await LoadFixtures.eventCount(database) == events)
        #expect(try await database.list(.company, owner: company).memories == before)
        let regime = try await database.memory(.company, owner: company, slug: "company_tax_regime")
        #expect((regime.content, regime.category, regime.syncState) == ("Régimen tributario: ProPyme General", "company_tax", .pending))
    }

    @Test("A changed field updates its memory only")
    func changedField() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.loadUser(user)

        _ = try await database.importUsers(Data(#"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "role": "Contador auditor"}"#.utf8))
        let result = try await database.loadUser(user)

        #expect(result.items.map(\.status) == [.unchanged, .unchanged, .unchanged, .updated])
        let role = try await database.memory(.user, owner: user, slug: "user_role")
        #expect((role.content, role.version) == ("Cargo: Contador auditor", 2))
    }

    @Test("A user is found by RUT or id; an unknown owner is not created")
    func ownerLookup() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        let id = try #require(try await LoadFixtures.ownerRow(database, .user, rut: LoadFixtures.userRUT)["id"] ?? nil)

        #expect(try await database.load(.user, owner: try OwnerReference(id)).savedCount == 4)
        #expect(try await database.loadUser(try owner("11111111-1")).items.allSatisfy { $0.status == .unchanged })
        await #expect(throws: BrainError.ownerNotFound(brain: .user, owner: "123456785")) {
            try await database.loadUser(try owner("12.345.678-5"))
        }
        // A company is not a user, even with the same RUT.
        await #expect(throws: BrainError.ownerNotFound(brain: .company, owner: "111111111")) {
            try await database.loadCompany(try owner(LoadFixtures.userRUT))
        }
    }

    @Test("An owner with no loadable field succeeds with nothing saved")
    func nothingToLoad() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: try owner(LoadFixtures.companyRUT), memories: [memory("nota", "Prefiere correo")])

        let result = try await database.loadCompany(try owner(LoadFixtures.companyRUT))

        #expect((result.success, result.savedCount, result.failedCount, result.removedCount) == (true, 0, 0, 0))
        #expect(result.items.isEmpty && result.errors.isEmpty)
        #expect(try await database.list(.company, owner: try owner(LoadFixtures.companyRUT)).memories.map(\.slug) == ["nota"])
    }

    @Test("A load never touches slugs outside the builder table, and rewrites an agent's edit of its own slugs")
    func onlyBuilderSlugs() async throws {
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.save(.user, owner: user, memories: [
            memory("user_preference_language", "Prefiere español", category: "user_profile"),
            memory("user_email", "Correo electrónico: viejo@example.cl", category: "user_contact"),
        ])
        _ = try await database.importUsers(Data(#"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "email": "nuevo@example.cl"}"#.utf8))

        let result = try await database.loadUser(user)

        #expect(result.removed.isEmpty)
        #expect(result.items.map(\.slug) == ["user_full_name", "user_email"])
        #expect(try await database.memory(.user, owner: user, slug: "user_email").content == "Correo electrónico: nuevo@example.cl")
        #expect(try await database.list(.user, owner: user).memories.map(\.slug) == ["user_email", "user_full_name", "user_preference_language"])
    }

    @Test("A tombstoned builder memory whose field returns is brought back as created")
    func fieldReturns() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.loadUser(user)
        try await LoadFixtures.markAllPushed(database, brain: .user)
        let clear = #"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "phone": null}"#
        _ = try await database.importUsers(Data(clear.utf8))
        #expect(try await database.loadUser(user).removed.map(\.status) == ["tombstoned"])

        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        let result = try await database.loadUser(user)

        #expect(result.items.first { $0.slug == "user_phone" }?.status == .created)
        #expect(try await database.memory(.user, owner: user, slug: "user_phone").memoryID != nil)
    }

    @Test("The results encode with the seed's snake_case keys")
    func resultJSON() throws {
        let load = LoadResult(save: nil, removed: [DeleteResult(slug: "user_email", status: "purged")])
        let loadJSON = String(decoding: try JSONEncoder().encode(load), as: UTF8.self)
        for key in ["\"success\":true", "\"saved_count\":0", "\"failed_count\":0", "\"removed_count\":1", "\"errors\":[]", "\"items\":[]"] {
            #expect(loadJSON.contains(key))
        }
        var summary = LoadAllSummary(total: 3)
        summary.add(load, brain: .user, rut: "1")
        let users = String(decoding: try JSONEncoder().encode(LoadAllUsersResult(summary)), as: UTF8.self)
        for key in ["\"total_users\":3", "\"loaded_users\":1", "\"failed_users\":0", "\"total_memories_created\":0", "\"total_memories_removed\":1"] {
            #expect(users.contains(key))
        }
        let companies = String(decoding: try JSONEncoder().encode(LoadAllCompaniesResult(summary)), as: UTF8.self)
        #expect(companies.contains("\"total_companies\":3") && companies.contains("\"loaded_companies\":1"))
    }

    // MARK: - Load all

    @Test("Load all over 1,000 companies and 2,000 users: exact counts, and a second run changes nothing")
    func loadAllAtScale() async throws {
        // Given 1,000 companies and 2,000 users with valid RUTs
        let database = try await makeTestDatabase()
        let companies = try await database.importCompanies(Data(LoadFixtures.companiesCSV(count: 1_000).utf8))
        let users = try await database.importUsers(Data(LoadFixtures.usersJSONL(count: 2_000).utf8))
        #expect((companies.created, companies.failed, users.created, users.failed) == (1_000, 0, 2_000, 0))

        // When everything is loaded, with progress reported
        let log = ProgressLog()
        let firstCompanies = try await database.loadAllCompanies { done, total in log.record(done, total) }
        let firstUsers = try await database.loadAllUsers()
        let events = try await LoadFixtures.eventCount(database)

        // Then every owner loads and every expected memory is created
        #expect(firstCompanies == LoadAllCompaniesResult(LoadAllSummary(
            total: 1_000, loaded: 1_000, created: LoadFixtures.companyMemories(count: 1_000))))
        #expect(firstUsers == LoadAllUsersResult(LoadAllSummary(
            total: 2_000, loaded: 2_000, created: LoadFixtures.userMemories(count: 2_000))))
        #expect(LoadFixtures.companyMemories(count: 1_000) == 4_550)
        #expect(try await database.counts(.company).live == 4_550)
        #expect(try await database.counts(.user).live == LoadFixtures.userMemories(count: 2_000))
        let progress = log.calls
        #expect(progress.count == 1_001)
        #expect(progress.first.map { [$0.0, $0.1] } == [0, 1_000])
        #expect(progress.last.map { [$0.0, $0.1] } == [1_000, 1_000])

        // And a second run creates, updates and removes nothing, and journals nothing
        let secondCompanies = try await database.loadAllCompanies()
        let secondUsers = try await database.loadAllUsers()
        #expect(secondCompanies == LoadAllCompaniesResult(LoadAllSummary(total: 1_000, loaded: 1_000)))
        #expect(secondUsers == LoadAllUsersResult(LoadAllSummary(total: 2_000, loaded: 2_000)))
        #expect(!secondCompanies.changedLocally && !secondUsers.changedLocally)
        #expect(try await LoadFixtures.eventCount(database) == events)
    }

    @Test("Load all counts a failing owner and goes on")
    func loadAllWithFailure() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importUsers(Data(LoadFixtures.usersJSONL(count: 3).utf8))
        // A value no import would accept, written behind the import's back: an oversized role.
        try await sql(database).execute("UPDATE profiles SET role = ? WHERE rut = ?", [String(repeating: "x", count: 40_000), "200000013"])

        let result = try await database.loadAllUsers()

        #expect((result.totalUsers, result.loadedUsers, result.failedUsers) == (3, 2, 1))
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.hasPrefix("user 200000013: Error with user memory user_role: ") == true)
        // The failing owner's valid memories were still saved, as any partial save.
        #expect(result.totalMemoriesCreated == LoadFixtures.userMemories(count: 3) - 1)
    }
}

/// Collects progress callbacks, which may come from any task.
private final class ProgressLog: Sendable {
    private let storage = Mutex<[(Int, Int)]>([])

    func record(_ done: Int, _ total: Int) { storage.withLock { $0.append((done, total)) } }

    var calls: [(Int, Int)] { storage.withLock { $0 } }
}
