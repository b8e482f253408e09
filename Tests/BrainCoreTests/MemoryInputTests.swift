import BrainCore
import Foundation
import Testing

struct MemoryInputTests {
    @Test("Valid slugs", arguments: ["a", "0", "company_tax_regime", "user_full_name_2", String(repeating: "a", count: 255)])
    func validSlugs(slug: String) throws {
        #expect(try MemoryInput.validSlug(slug) == slug)
    }

    @Test(
        "Invalid slugs",
        arguments: ["", "_a", "A", "company-tax", "tax regime", "ñandú", "a/b", String(repeating: "a", count: 256)])
    func invalidSlugs(slug: String) {
        #expect(throws: BrainError.self) { try MemoryInput.validSlug(slug) }
    }

    @Test func validatesContent() throws {
        #expect(throws: BrainError.invalid(field: "m.content", reason: "must be a non-empty string")) {
            try MemoryInput(slug: "a", content: "  \n ").validated(field: "m")
        }
        let big = String(repeating: "é", count: MemoryLimits.contentMaxBytes / 2 + 1)
        #expect(throws: BrainError.self) { try MemoryInput(slug: "a", content: big).validated() }
        let ok = try MemoryInput(slug: "a", category: "  company_tax ", content: "Régimen").validated()
        #expect(ok.category == "company_tax")
    }

    @Test func validatesMetadata() throws {
        #expect(throws: BrainError.invalid(field: "memory.metadata", reason: "must be a JSON object")) {
            try MemoryInput(slug: "a", content: "x", metadata: .array([])).validated()
        }
        #expect(throws: BrainError.self) {
            try MemoryInput(slug: "a", content: "x", metadata: .object(["slug": .string("b")])).validated()
        }
        let valid = try MemoryInput(slug: "a", content: "x", metadata: .object(["source": .string("chat")])).validated()
        #expect(valid.metadata == ["source": .string("chat")])
    }

    @Test("Wrong types and unknown fields fail the item, not the decoding of the batch")
    func lenientItemDecoding() throws {
        let json = #"{"memories":[{"slug":"a","content":"x"},{"slug":"b","content":5},{"slug":"c","content":"y","colour":"red"},7]}"#
        let batch = try JSONDecoder().decode(SaveBatchRequest.self, from: Data(json.utf8))
        #expect(batch.memories.count == 4)
        #expect(try batch.memories[0].validated().slug == "a")
        #expect(throws: BrainError.invalid(field: "m.content", reason: "must be a string")) {
            try batch.memories[1].validated(field: "m")
        }
        #expect(throws: BrainError.invalid(field: "m.colour", reason: "unknown field; expected slug, category, content, metadata")) {
            try batch.memories[2].validated(field: "m")
        }
        #expect(throws: BrainError.invalid(field: "m", reason: "must be a JSON object")) {
            try batch.memories[3].validated(field: "m")
        }
    }

    @Test("The batch envelope must be an object with a memories array and nothing else")
    func envelope() {
        for body in [#"[]"#, #"{"memories":{}}"#, #"{"memories":[],"extra":1}"#, #"{}"#] {
            #expect(throws: BrainError.self) { try JSONDecoder().decode(SaveBatchRequest.self, from: Data(body.utf8)) }
        }
    }

    @Test("Integer metadata round-trips as an integer, so an identical save stays identical")
    func jsonNumbers() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"n":1,"f":1.5,"b":true,"s":"x","z":null}"#.utf8))
        #expect(try CanonicalJSON.encode(value) == #"{"b":true,"f":1.5,"n":1,"s":"x","z":null}"#)
    }
}
