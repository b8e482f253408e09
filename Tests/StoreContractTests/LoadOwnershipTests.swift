@testable import BrainCore
import Foundation
import BrainTestSupport
import Testing

/// A load removes only memories the loader wrote itself, whose field it knew and saw emptied:
/// an agent's memory under a builder slug is never deleted by a load.
struct LoadOwnershipTests {
    @Test("A company memory an agent saved survives a load of a company without that field")
    func agentCompanyMemorySurvivesLoadOne() async throws {
        // Given an agent's tax regime for a company that has no tax_regime in its data
        let database = try await makeTestDatabase()
        let company = try owner(LoadFixtures.companyRUT)
        _ = try await database.save(.company, owner: company, memories: [
            memory("company_tax_regime", "Régimen tributario: 14 D N°8", category: "company_tax")
        ])

        // When the company is loaded
        let result = try await database.loadCompany(company)

        // Then nothing is removed and the agent's memory is as it was
        #expect(result.removedCount == 0)
        let regime = try await database.memory(.company, owner: company, slug: "company_tax_regime")
        #expect((regime.content, regime.version) == ("Régimen tributario: 14 D N°8", 1))
    }

    @Test("A user memory an agent saved survives a load of every user")
    func agentUserMemorySurvivesLoadAll() async throws {
        // Given a user known only from an agent's save (no profile data at all)
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.save(.user, owner: user, memories: [
            memory("user_full_name", "Nombre completo: Juana Díaz", category: "user_profile")
        ])

        // When every user is loaded
        let result = try await database.loadAllUsers()

        // Then the agent's memory stays
        #expect(result.totalMemoriesRemoved == 0)
        #expect(try await database.list(.user, owner: user).memories.map(\.slug) == ["user_full_name"])
    }

    @Test("An import whose file lacks a column does not let a load delete an agent's memory of that field")
    func importWithoutColumn() async throws {
        // Given an agent's email memory, then an import with no email column
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.save(.user, owner: user, memories: [
            memory("user_email", "Correo electrónico: juana@example.cl", category: "user_contact")
        ])
        _ = try await database.importUsers(Data("rut,full_name\n\(LoadFixtures.userRUT),Juana Díaz\n".utf8))

        // When the user is loaded
        let result = try await database.loadUser(user)

        // Then the name is loaded and the agent's email stays
        #expect(result.items.map(\.slug) == ["user_full_name"])
        #expect(result.removedCount == 0)
        #expect(try await database.list(.user, owner: user).memories.map(\.slug) == ["user_email", "user_full_name"])
    }

    @Test("An agent's save over a loader memory makes it the agent's: clearing the field no longer removes it")
    func agentSaveOverLoaderRow() async throws {
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        _ = try await database.loadUser(user)
        _ = try await database.save(.user, owner: user, memories: [
            memory("user_phone", "Teléfono: +56 2 2345 6789 (oficina)", category: "user_contact")
        ])
        _ = try await database.importUsers(Data(#"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "phone": null}"#.utf8))

        let result = try await database.loadUser(user)

        #expect(result.removedCount == 0)
        #expect(try await database.memory(.user, owner: user, slug: "user_phone").content == "Teléfono: +56 2 2345 6789 (oficina)")
    }

    @Test("A loader memory whose field is cleared is still removed")
    func loaderRowRemoved() async throws {
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        _ = try await database.loadUser(user)
        _ = try await database.importUsers(Data(#"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "role": ""}"#.utf8))

        let result = try await database.loadUser(user)

        #expect(result.removed == [DeleteResult(slug: "user_role", status: "purged")])
    }

    @Test("A row the loader would write word for word becomes the loader's (rows from before sources were recorded)")
    func loaderAdoptsIdenticalRow() async throws {
        // Given a loaded user whose rows are marked as agents' rows, as every row of an older database is
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        _ = try await database.loadUser(user)
        try await sql(database).execute("UPDATE user_brain SET source = 'save'")

        // When a load finds them unchanged, and the role is then cleared
        let again = try await database.loadUser(user)
        _ = try await database.importUsers(Data(#"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "role": null}"#.utf8))
        let result = try await database.loadUser(user)

        // Then the unchanged load wrote no version, and the cleared role's memory is removed
        #expect(again.items.map(\.status) == Array(repeating: .unchanged, count: 4))
        #expect(try await database.memory(.user, owner: user, slug: "user_email").version == 1)
        #expect(result.removed.map(\.slug) == ["user_role"])
    }

    @Test("The source is recorded: saves are 'save', loads are 'loader'")
    func sourceColumn() async throws {
        let database = try await makeTestDatabase()
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.save(.user, owner: user, memories: [memory("nota", "Prefiere correo")])
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        _ = try await database.loadUser(user)

        let sources = try await sql(database).rows("SELECT slug, source FROM user_brain ORDER BY slug").map {
            "\($0["slug"] ?? "")=\($0["source"] ?? "")"
        }
        #expect(sources == ["nota=save", "user_email=loader", "user_full_name=loader", "user_phone=loader", "user_role=loader"])
    }
}
