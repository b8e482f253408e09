import FakeMem0
import Foundation
import Testing

/// What the official `MemoryClient` calls and the fake once answered 404 to.
@Suite(.timeLimit(.minutes(1)))
struct FakeMem0HistoryBatchTests {
    @Test("History lists a memory's add, updates and delete with old and new text")
    func history() async throws {
        try await withHarness { http in
            let memory = await http.server.insertMemory(FakeMemory(memory: "one", userID: "u"))
            _ = try await http.call("PUT", "/v1/memories/\(memory.id)/", body: #"{"text":"two"}"#)
            _ = try await http.call("DELETE", "/v1/memories/\(memory.id)/")
            let answer = try await http.call("GET", "/v1/memories/\(memory.id)/history/")
            #expect(answer.status == 200)
            let entries = answer.json?.arrayValue ?? []
            #expect(entries.map { $0["event"] } == ["ADD", "UPDATE", "DELETE"])
            #expect(entries.map { $0["new_memory"] } == [.string("one"), .string("two"), .null])
            #expect(entries.map { $0["old_memory"] } == [.null, .string("one"), .string("two")])
            #expect(try await http.call("GET", "/v1/memories/\(UUID().uuidString.lowercased())/history/").status == 404)
        }
    }

    @Test("Batch update and delete touch the listed memories; more than 1,000 is refused")
    func batch() async throws {
        try await withHarness { http in
            let a = await http.server.insertMemory(FakeMemory(memory: "a", userID: "u"))
            let b = await http.server.insertMemory(FakeMemory(memory: "b", userID: "u"))
            let updated = try await http.call(
                "PUT", "/v1/batch/", body: #"{"memories":[{"memory_id":"\#(a.id)","text":"A"},{"memory_id":"\#(b.id)","text":"B"}]}"#)
            #expect(updated.json?["message"] == "Successfully updated 2 memories")
            #expect(await http.server.memory(id: a.id)?.memory == "A")
            let deleted = try await http.call("DELETE", "/v1/batch/", body: #"{"memories":[{"memory_id":"\#(a.id)"}]}"#)
            #expect(deleted.json?["message"] == "Successfully deleted 1 memories")
            #expect(await http.server.memories().map(\.memory) == ["B"])
            let many = "{\"memories\":[" + (0..<1_001).map { _ in #"{"memory_id":"x"}"# }.joined(separator: ",") + "]}"
            let refused = try await http.call("PUT", "/v1/batch/", body: many)
            #expect(refused.status == 400)
            #expect(refused.json?["error"] == "Maximum of 1000 memories can be updated in a single request")
        }
    }
}
