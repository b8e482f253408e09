@testable import BrainCore
import Foundation
import BrainTestSupport
import Testing

struct ExportImportTests {
    /// Every line of an export, as one text.
    private func exportText(_ database: any BrainStore, brain: BrainKind? = nil, owner: OwnerReference? = nil, rowsPerPage: Int = 1_000) async throws -> String {
        let exporter = try database.makeExporter(brain: brain, owner: owner, rowsPerPage: rowsPerPage)
        var bytes: [UInt8] = []
        while true {
            let page = try await exporter.nextPage()
            if page.isEmpty { break }
            for line in page { line.write(into: &bytes) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Imports a text through `MemoryImporter`, line by line as the route does.
    private func importText(_ text: String, into database: any BrainStore) async throws -> MemoryImportResult {
        var importer = MemoryImporter(database: database)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            try await importer.add(line: Array(line.utf8), number: index + 1)
        }
        return try await importer.finish()
    }

    private func seed(_ database: any BrainStore) async throws {
        _ = try await database.save(.user, owner: try owner(userRUT), memories: [
            memory("user_full_name", "Nombre completo: \"Juan\" Pérez\nsegunda línea\t\u{1}", category: "user_profile", metadata: ["source": .string("crm"), "n": .int(3)]),
            memory("user_email", "juan@example.com"),
        ])
        _ = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("company_tax_regime", "ProPyme General", category: "company_tax")])
        _ = try await database.save(.company, owner: try owner("76.086.428-5"), memories: [memory("a_first", "x"), memory("b_second", "y")])
        _ = try await database.delete(.company, owner: try owner("76.086.428-5"), slug: "b_second")
    }

    @Test("An export lists live memories by brain, owner RUT and slug, one JSON object per line")
    func exportShape() async throws {
        let database = try await makeTestDatabase()
        try await seed(database)

        let lines = try await exportText(database).split(separator: "\n").map(String.init)

        #expect(lines.count == 4)
        let objects = try lines.map { try JSONDecoder().decode([String: JSONValue].self, from: Data($0.utf8)) }
        #expect(objects.map { $0["brain"]?.stringValue } == ["company", "company", "user", "user"])
        #expect(objects.map { $0["owner"]?.stringValue } == ["123456785", "760864285", "111111111", "111111111"])
        #expect(objects.map { $0["slug"]?.stringValue } == ["company_tax_regime", "a_first", "user_email", "user_full_name"])
        #expect(objects[3]["content"]?.stringValue == "Nombre completo: \"Juan\" Pérez\nsegunda línea\t\u{1}")
        #expect(objects[3]["metadata"] == .object(["n": .int(3), "source": .string("crm")]))
        #expect(objects[1]["category"] == .null)
        #expect(Set(objects[0].keys) == MemoryExportLine.fields)
    }

    @Test("Paging gives the same export whatever the page size", arguments: [1, 2, 3, 1_000])
    func paging(rowsPerPage: Int) async throws {
        let database = try await makeTestDatabase()
        try await seed(database)
        #expect(try await exportText(database, rowsPerPage: rowsPerPage) == exportText(database))
        let userOnly = try await exportText(database, brain: .user, owner: try owner(userRUT), rowsPerPage: rowsPerPage)
        #expect(userOnly.split(separator: "\n").count == 2)
    }

    @Test("Export, import into an empty store, export again: the same bytes; a second import changes nothing")
    func roundTrip() async throws {
        let source = try await makeTestDatabase()
        try await seed(source)
        let first = try await exportText(source)

        let target = try await makeTestDatabase()
        let imported = try await importText(first, into: target)
        let second = try await exportText(target)
        let again = try await importText(first, into: target)

        #expect(imported.created == 4 && imported.failed == 0)
        #expect(second == first)
        #expect(again.unchanged == 4 && again.created == 0 && again.updated == 0)
        #expect(try await exportText(target) == first)
    }

    @Test("Owners saved side by side: a later line for the same owner and slug still wins")
    func laterLineWins() async throws {
        let database = try await makeTestDatabase()
        let rut = ["11.111.111-1", "12.345.678-5", "76.086.428-5"]
        var lines: [String] = []
        for round in 0..<3 {
            for owner in rut {
                lines.append(#"{"brain":"user","owner":"\#(owner)","slug":"s","content":"round \#(round)"}"#)
            }
        }

        let result = try await importText(lines.joined(separator: "\n"), into: database)

        #expect((result.created, result.updated, result.failed) == (3, 6, 0))
        for text in rut {
            #expect(try await database.memory(.user, owner: try owner(text), slug: "s").content == "round 2")
        }
    }

    @Test("Bad lines fail alone with their line numbers; blank lines are skipped")
    func lineErrors() async throws {
        let database = try await makeTestDatabase()
        let good = #"{"brain":"user","owner":"11.111.111-1","slug":"user_email","content":"a@b.c"}"#
        let text = [
            good,
            "",
            "{not json",
            #"{"brain":"user","owner":"11.111.111-1","slug":"x","content":"y","colour":"red"}"#,
            #"{"brain":"team","owner":"11.111.111-1","slug":"x","content":"y"}"#,
            #"{"brain":"user","owner":"12.345.678-K","slug":"x","content":"y"}"#,
            #"{"brain":"user","owner":"11.111.111-1","slug":"Bad Slug","content":"y"}"#,
            #"{"brain":"user","owner":"11.111.111-1","slug":"empty","content":""}"#,
            #"{"brain":"user","owner":"11.111.111-1","slug":"when","content":"y","created_at":"yesterday"}"#,
            #"{"brain":"company","owner":"12.345.678-5","slug":"ok_too","content":"z","updated_at":"2024-05-01T10:00:00.000Z"}"#,
        ].joined(separator: "\n")

        let result = try await importText(text, into: database)

        #expect(result.lines == 9)
        #expect(result.created == 2)
        #expect(result.failed == 7)
        #expect(result.errors.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
        #expect(result.errors[1].error.contains("colour: unknown field"))
        #expect(result.errors[2].error.contains("brain: must be company or user"))
        #expect(result.errors[3].error.contains("check digit"))
        #expect(result.errors[4].error.hasPrefix("slug:"), "\(result.errors[4])")
        #expect(result.errors[5].error.hasPrefix("content:"), "\(result.errors[5])")
        #expect(result.errors[6].error.contains("created_at"))
        let stamped = try await database.memory(.company, owner: try owner(companyRUT), slug: "ok_too")
        #expect(stamped.updatedAt == "2024-05-01T10:00:00.000Z")
        #expect(stamped.syncState == .pending)
    }
}
