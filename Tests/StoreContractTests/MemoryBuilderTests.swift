@testable import BrainCore
import Foundation
import GRDB
import BrainTestSupport
import Testing

struct MemoryBuilderTests {
    static let fullCompany = CompanyRecord(
        id: "c", rut: "761234560", businessName: "Panadería El Trigal SpA", taxRegime: "ProPyme General",
        siiActivityName: "Comercio al por menor", siiActivityCode: "471000",
        legalRepresentativeName: "María José Fernández", legalRepresentativeRUT: "152345674",
        startOfActivities: "2020-03-15", accountingStartMonth: "2021-01")

    static let fullUser = UserRecord(
        id: "u", rut: "111111111", fullName: "Juan Pérez", email: "juan.perez@example.cl", phone: "+56 9 8765 4321",
        role: "Contador")

    @Test(
        "Every company slug has its category and Spanish wording",
        arguments: [
            ("company_tax_regime", "company_tax", "Régimen tributario: ProPyme General"),
            ("company_activity", "company_tax", "Actividad económica: Comercio al por menor (código SII 471000)"),
            ("company_legal_representative", "company_legal", "Representante legal: María José Fernández (RUT 15.234.567-4)"),
            ("company_start_date", "company_dates", "Inicio de actividades: 2020-03-15"),
            ("company_accounting_start", "company_dates", "Inicio de contabilidad: 2021-01"),
        ])
    func companySlug(slug: String, category: String, content: String) throws {
        let plan = MemoryBuilders.plan(for: Self.fullCompany)
        let memory = try #require(plan.memories.first { $0.slug == slug })
        #expect(memory.category == category)
        #expect(memory.content == content)
        // What a builder makes must pass the save path's own validation.
        _ = try memory.validated()
    }

    @Test(
        "Every user slug has its category and Spanish wording",
        arguments: [
            ("user_full_name", "user_profile", "Nombre completo: Juan Pérez"),
            ("user_email", "user_contact", "Correo electrónico: juan.perez@example.cl"),
            ("user_phone", "user_contact", "Teléfono: +56 9 8765 4321"),
            ("user_role", "user_profile", "Cargo: Contador"),
        ])
    func userSlug(slug: String, category: String, content: String) throws {
        let plan = MemoryBuilders.plan(for: Self.fullUser)
        let memory = try #require(plan.memories.first { $0.slug == slug })
        #expect(memory.category == category)
        #expect(memory.content == content)
        _ = try memory.validated()
    }

    @Test("A full record yields every slug in table order and nothing to remove")
    func fullRecords() {
        let company = MemoryBuilders.plan(for: Self.fullCompany)
        #expect(company.memories.map(\.slug) == MemoryBuilders.company.map(\.slug))
        #expect(company.emptySlugs.isEmpty)
        let user = MemoryBuilders.plan(for: Self.fullUser)
        #expect(user.memories.map(\.slug) == ["user_full_name", "user_email", "user_phone", "user_role"])
        #expect(user.emptySlugs.isEmpty)
        // The business name is not a memory (the seed does not list one), so it never shows up.
        #expect(Set(MemoryBuilders.company.map(\.slug)).count == MemoryBuilders.company.count)
    }

    @Test("Missing or blank fields build no memory and are listed as empty")
    func missingFields() {
        // Given a company with only a tax regime, and a user whose name is blank
        let company = CompanyRecord(id: "c", rut: "761234560", businessName: "X", taxRegime: "ProPyme General")
        let user = UserRecord(id: "u", rut: "111111111", fullName: "  \n ", email: "", role: "Gerente")

        // When
        let companyPlan = MemoryBuilders.plan(for: company)
        let userPlan = MemoryBuilders.plan(for: user)

        // Then
        #expect(companyPlan.memories.map(\.slug) == ["company_tax_regime"])
        #expect(companyPlan.emptySlugs == [
            "company_activity", "company_legal_representative", "company_start_date", "company_accounting_start",
        ])
        #expect(userPlan.memories.map(\.content) == ["Cargo: Gerente"])
        #expect(userPlan.emptySlugs == ["user_full_name", "user_email", "user_phone"])
    }

    @Test(
        "Activity and legal representative word what they have when half is missing",
        arguments: [
            (CompanyRecord(id: "c", rut: "1", siiActivityName: "Panadería"), "Actividad económica: Panadería"),
            (CompanyRecord(id: "c", rut: "1", siiActivityCode: "107100"), "Actividad económica: código SII 107100"),
            (CompanyRecord(id: "c", rut: "1", legalRepresentativeName: "Sofía Ibáñez"), "Representante legal: Sofía Ibáñez"),
            (CompanyRecord(id: "c", rut: "1", legalRepresentativeRUT: "18456789k"), "Representante legal: RUT 18.456.789-k"),
            // A RUT written by some other tool is shown as stored rather than dropped.
            (CompanyRecord(id: "c", rut: "1", legalRepresentativeRUT: "desconocido"), "Representante legal: RUT desconocido"),
        ])
    func halfFields(company: CompanyRecord, content: String) {
        #expect(MemoryBuilders.plan(for: company).memories.map(\.content) == [content])
    }

    @Test("Accents, ñ and surrounding spaces: text is kept exactly, only trimmed")
    func accents() {
        let user = UserRecord(id: "u", rut: "1", fullName: "  José Ñúñez Güemes ", role: "Jefa de Administración")
        #expect(MemoryBuilders.plan(for: user).memories.map(\.content) == [
            "Nombre completo: José Ñúñez Güemes", "Cargo: Jefa de Administración",
        ])
    }

    // MARK: - A field that becomes empty

    @Test(
        "A company field that becomes empty removes only its memory on the next load",
        arguments: [
            ("company_tax_regime", ["tax_regime"]),
            ("company_activity", ["sii_activity_name", "sii_activity_code"]),
            ("company_legal_representative", ["legal_representative_name", "legal_representative_rut"]),
            ("company_start_date", ["start_of_activities"]),
            ("company_accounting_start", ["accounting_start_month"]),
        ])
    func companyFieldBecomesEmpty(slug: String, columns: [String]) async throws {
        // Given a loaded company whose memories all reached Mem0
        let database = try await makeTestDatabase()
        _ = try await database.importCompanies(Data(LoadFixtures.fullCompanyCSV.utf8))
        let company = try owner(LoadFixtures.companyRUT)
        _ = try await database.loadCompany(company)
        try await LoadFixtures.markAllPushed(database, brain: .company)
        let before = try await database.list(.company, owner: company).memories

        // When the field is cleared (JSON null) and the company is loaded again
        let cleared = columns.map { "\"\($0)\": null" }.joined(separator: ", ")
        let line = #"{"rut": "\#(LoadFixtures.companyRUT)", "business_name": "Panadería El Trigal SpA", \#(cleared)}"#
        #expect(try await database.importCompanies(Data(line.utf8)).updated == 1)
        let result = try await database.loadCompany(company)

        // Then its memory is tombstoned for Mem0 to delete, and the other slugs are untouched
        #expect(result.removed == [DeleteResult(slug: slug, status: "tombstoned")])
        #expect(result.items.allSatisfy { $0.status == .unchanged })
        #expect(result.items.count == 4)
        let after = try await database.list(.company, owner: company).memories
        #expect(after == before.filter { $0.slug != slug })
        // A third load has nothing left to remove.
        #expect(try await database.loadCompany(company).removedCount == 0)
    }

    @Test(
        "A user field that becomes empty removes only its memory; never pushed, it is purged",
        arguments: ["user_email", "user_phone", "user_role"])
    func userFieldBecomesEmpty(slug: String) async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        let user = try owner(LoadFixtures.userRUT)
        _ = try await database.loadUser(user)
        let column = String(slug.dropFirst("user_".count))

        let line = #"{"rut": "\#(LoadFixtures.userRUT)", "full_name": "Juan Pérez", "\#(column)": ""}"#
        _ = try await database.importUsers(Data(line.utf8))
        let result = try await database.loadUser(user)

        #expect(result.removed == [DeleteResult(slug: slug, status: "purged")])
        #expect(result.items.map(\.status) == [.unchanged, .unchanged, .unchanged])
        let remaining = ["user_email", "user_full_name", "user_phone", "user_role"].filter { $0 != slug }
        #expect(try await database.list(.user, owner: user).memories.map(\.slug) == remaining)
    }

    @Test("Clearing half of a two-field memory rewords it instead of removing it")
    func halfCleared() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importCompanies(Data(LoadFixtures.fullCompanyCSV.utf8))
        let company = try owner(LoadFixtures.companyRUT)
        _ = try await database.loadCompany(company)

        let line = #"{"rut": "\#(LoadFixtures.companyRUT)", "business_name": "Panadería El Trigal SpA", "sii_activity_code": ""}"#
        _ = try await database.importCompanies(Data(line.utf8))
        let result = try await database.loadCompany(company)

        #expect(result.removedCount == 0)
        #expect(result.items.first { $0.slug == "company_activity" }?.status == .updated)
        let activity = try await database.memory(.company, owner: company, slug: "company_activity")
        #expect(activity.content == "Actividad económica: Elaboración de productos de panadería y pastelería")
    }
}
