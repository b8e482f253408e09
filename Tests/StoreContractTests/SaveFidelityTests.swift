import BrainCore
import Foundation
import BrainTestSupport
import Testing

/// A save stores exactly what the client sent, or refuses the item naming the field: never a
/// shortened text or a silently emptied metadata object.
struct SaveFidelityTests {
    @Test("Content with a NUL character is refused naming the field; nothing is stored, so a retry is not an endless update")
    func nulContent() async throws {
        let database = try await makeTestDatabase()
        for _ in 0..<2 {
            let result = try await database.save(.company, owner: try owner(companyRUT), memories: [memory("clave", "Clave: 12\u{0}34 fin")])
            #expect(result.items.map(\.status) == [.failed])
            #expect(result.items[0].error?.hasPrefix("memories[0].content:") == true, "\(result.items[0].error ?? "")")
        }
        #expect(try await database.counts(.company).live == 0)
    }

    @Test(
        "A NUL character anywhere in an item's strings is refused, naming the field",
        arguments: [
            (MemoryInput(slug: "a\u{0}b", content: "x"), "m.slug"),
            (MemoryInput(slug: "a", category: "tax\u{0}", content: "x"), "m.category"),
            (MemoryInput(slug: "a", content: "x", metadata: .object(["note": .string("12\u{0}34")])), "m.metadata.note"),
            (MemoryInput(slug: "a", content: "x", metadata: .object(["no\u{0}te": .string("x")])), "m.metadata"),
            (MemoryInput(slug: "a", content: "x", metadata: .object(["deep": .object(["list": .array([.string("ok"), .string("\u{0}")])])])),
             "m.metadata.deep.list[1]"),
        ])
    func nulAnywhere(input: MemoryInput, field: String) {
        #expect(refusedField { _ = try input.validated(field: "m") } == field)
    }

    @Test("Metadata with a number JSON allows but braind cannot hold is refused, naming the field")
    func undecodableMetadataNamed() throws {
        let json = #"{"memories":[{"slug":"a","content":"x","metadata":{"n":1e400,"keep":"me"}},{"slug":"b","content":"y","metadata":{"deep":[1,-1e400]}}]}"#
        let batch = try JSONDecoder().decode(SaveBatchRequest.self, from: Data(json.utf8))
        for (index, field) in [(0, "memories[0].metadata.n"), (1, "memories[1].metadata.deep[1]")] {
            #expect(refusedField { _ = try batch.memories[index].validated(field: "memories[\(index)]") } == field)
        }
    }

    @Test("Metadata that does not decode never overwrites a row's metadata")
    func undecodableMetadataKeepsRow() async throws {
        let database = try await makeTestDatabase()
        let company = try owner(companyRUT)
        _ = try await database.save(.company, owner: company, memories: [memory("a", "x", metadata: ["keep": .string("me")])])
        let json = #"{"memories":[{"slug":"a","content":"x","metadata":{"n":1e400,"keep":"me"}}]}"#
        let batch = try JSONDecoder().decode(SaveBatchRequest.self, from: Data(json.utf8))
        let result = try await database.save(.company, owner: company, memories: batch.memories)
        #expect(result.items.map(\.status) == [.failed])
        #expect(result.items[0].error?.hasPrefix("memories[0].metadata.n:") == true, "\(result.items[0].error ?? "")")
        #expect(try await database.memory(.company, owner: company, slug: "a").metadata == ["keep": .string("me")])
    }
}

/// The field a validation error names, or nil if `body` did not refuse.
private func refusedField(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        guard case .invalid(let field, _)? = error as? BrainError else { return "\(error)" }
        return field
    }
}
