@testable import BrainCore
import BrainTestSupport
import Testing

struct SearchTests {
    private func seeded() async throws -> any BrainStore {
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: try owner(companyRUT), memories: [
            memory("company_tax_regime", "Régimen tributario: ProPyme General", category: "company_tax"),
            memory("company_activity", "Actividad económica: Comercio al por menor", category: "company_tax"),
            memory("company_note", "El régimen cambió; antes era régimen general, hoy ProPyme", category: "notes"),
        ])
        return database
    }

    @Test("Accent- and case-insensitive: 'regimen propyme' finds 'Régimen tributario: ProPyme General'")
    func accents() async throws {
        let database = try await seeded()
        let hits = try await database.searchLocal(.company, owner: try owner(companyRUT), query: "regimen propyme")
        #expect(hits.map(\.memory.slug).contains("company_tax_regime"))
        #expect(!hits.map(\.memory.slug).contains("company_activity"))
        let upper = try await database.searchLocal(.company, owner: try owner(companyRUT), query: "ACTIVIDAD ECONÓMICA")
        #expect(upper.map(\.memory.slug) == ["company_activity"])
        let word = try await database.searchLocal(.company, owner: try owner(companyRUT), query: "comercio")
        #expect(word.map(\.memory.slug) == ["company_activity"])
        #expect(try await database.searchLocal(.company, owner: try owner(companyRUT), query: "comerc").isEmpty, "whole words only")
    }

    @Test("Ranked by bm25: the memory naming the words most densely comes first")
    func ranking() async throws {
        let database = try await seeded()
        let hits = try await database.searchLocal(.company, owner: try owner(companyRUT), query: "régimen")
        #expect(hits.count == 2)
        #expect(hits.first?.memory.slug == "company_note", "two mentions outrank one")
        #expect(hits[0].score >= hits[1].score)
        let slugHit = try await database.searchLocal(.company, owner: try owner(companyRUT), query: "tax regime")
        #expect(slugHit.first?.memory.slug == "company_tax_regime", "slugs are searchable too")
    }

    @Test("Scoped to one owner and one brain")
    func scoping() async throws {
        let database = try await seeded()
        _ = try await database.save(.company, owner: try owner("76.086.428-5"), memories: [memory("company_tax_regime", "Régimen tributario: ProPyme General")])
        _ = try await database.save(.user, owner: try owner(companyRUT), memories: [memory("user_note", "Prefiere el régimen ProPyme")])
        let company = try await database.searchLocal(.company, owner: try owner(companyRUT), query: "propyme")
        #expect(company.allSatisfy { $0.memory.ownerRUT == "123456785" && $0.memory.brain == .company })
        #expect(company.count == 2)
        let user = try await database.searchLocal(.user, owner: try owner(companyRUT), query: "propyme")
        #expect(user.map(\.memory.slug) == ["user_note"])
    }

    @Test("Tombstones and replaced text are not found; updates are")
    func indexFollowsRows() async throws {
        let database = try await seeded()
        let company = try owner(companyRUT)
        try await sql(database).execute("UPDATE company_brain SET memory_id = 'm1' WHERE slug = 'company_note'")
        _ = try await database.delete(.company, owner: company, slug: "company_note")
        #expect(try await database.searchLocal(.company, owner: company, query: "cambió").isEmpty, "tombstone excluded")
        _ = try await database.save(.company, owner: company, memories: [memory("company_activity", "Actividad económica: Minería", category: "company_tax")])
        #expect(try await database.searchLocal(.company, owner: company, query: "comercio").isEmpty)
        #expect(try await database.searchLocal(.company, owner: company, query: "mineria").map(\.memory.slug) == ["company_activity"])
        _ = try await database.save(.company, owner: company, memories: [memory("company_note", "Vuelve: cambió de nuevo")])
        #expect(try await database.searchLocal(.company, owner: company, query: "cambió").map(\.memory.slug) == ["company_note"])
    }

    @Test("FTS syntax in the query is treated as words, never as operators")
    func queryIsSanitized() async throws {
        let database = try await seeded()
        let company = try owner(companyRUT)
        #expect(try await database.searchLocal(.company, owner: company, query: #"propyme"*"#).count == 2, "quotes and stars are not syntax")
        #expect(try await database.searchLocal(.company, owner: company, query: #"propyme" OR owner:*"#).isEmpty, "OR and owner are plain words here")
        await #expect(throws: BrainError.self) { try await database.searchLocal(.company, owner: company, query: "  ¿? ") }
        await #expect(throws: BrainError.self) { try await database.searchLocal(.company, owner: company, query: "x", limit: 0) }
        await #expect(throws: BrainError.self) { try await database.searchLocal(.company, owner: try owner("76.086.428-5"), query: "x") }
    }
}
