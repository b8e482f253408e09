import BrainCore
import Foundation
import Testing

@testable import BrainSync

/// Decoding of the wire shapes, including the legacy and degenerate ones.
struct Mem0ModelsTests {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func memoryReadsSessionIDAndRunIDAlike() throws {
        let listed = try decode(Mem0Memory.self, #"{"id":"a","memory":"m","session_id":"r1","metadata":null}"#)
        let searched = try decode(Mem0Memory.self, #"{"id":"b","memory":"m","run_id":"r2","score":0.5}"#)
        #expect(listed.runID == "r1")
        #expect(listed.metadata.isEmpty)
        #expect(searched.runID == "r2")
        #expect(searched.score == 0.5)
    }

    @Test func memoryToleratesOddFieldTypes() throws {
        let memory = try decode(Mem0Memory.self, #"{"id":"a","user_id":42,"categories":"x","metadata":[1],"extra":{}}"#)
        #expect(memory.userID == nil)
        #expect(memory.memory == "")
        #expect(memory.categories.isEmpty)
        #expect(memory.metadata.isEmpty)
    }

    @Test func memoryKeepsIntegerMetadataIntegral() throws {
        let memory = try decode(Mem0Memory.self, #"{"id":"a","metadata":{"n":1,"x":1.5,"s":"t"}}"#)
        #expect(memory.metadata == ["n": .int(1), "x": .double(1.5), "s": .string("t")])
    }

    @Test func eventReadsStatusResultsAndError() throws {
        let done = try decode(
            Mem0Event.self,
            #"{"id":"e","status":"SUCCEEDED","results":[{"id":"m1","event":"ADD","data":{"memory":"x"}}],"error":null}"#
        )
        let failed = try decode(Mem0Event.self, #"{"id":"e","status":"FAILED","error":{"message":"quota"}}"#)
        let odd = try decode(Mem0Event.self, #"{"id":"e","status":"QUEUED"}"#)
        #expect(done.status == .succeeded)
        #expect(done.memoryIDs == ["m1"])
        #expect(failed.errorMessage == "quota")
        #expect(odd.status == .other("QUEUED"))
    }

    @Test func addResponseReadsEveryShape() throws {
        let sync = try decode(Mem0AddResponse.self, #"{"status":"SUCCEEDED","event_id":"e","results":[{"id":"m1","event":"ADD"}]}"#)
        let pending = try decode(Mem0AddResponse.self, #"{"event_id":"e","status":"PENDING"}"#)
        let legacyItems = try decode(Mem0AddResponse.self, #"[{"id":"m1","data":{"memory":"x"},"event":"ADD"}]"#)
        let legacyPending = try decode(Mem0AddResponse.self, #"[{"message":"queued","status":"PENDING","event_id":"e"}]"#)
        #expect(sync.results?.compactMap(\.id) == ["m1"])
        #expect(pending.results == nil && pending.eventID == "e")
        #expect(legacyItems.results?.compactMap(\.id) == ["m1"])
        #expect(legacyPending.results == nil && legacyPending.eventID == "e")
    }

    @Test func listFiltersUseTheDocumentedForms() {
        #expect(Mem0Requests.filters(userID: "u", metadata: nil) == .object(["user_id": .string("u")]))
        #expect(
            Mem0Requests.filters(userID: "u", metadata: ["k": .string("v")])
                == .object(["AND": .array([.object(["user_id": .string("u")]), .object(["metadata": .object(["k": .string("v")])])])])
        )
    }

    @Test func idsArePercentEncodedAsOnePathSegment() {
        #expect(Mem0Transport.pathSegment("a/b c") == "a%2Fb%20c")
        #expect(Mem0Transport.pathSegment("0b7c-AF_x.~") == "0b7c-AF_x.~")
    }
}
