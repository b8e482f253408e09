import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Over HTTP, an item braind cannot store exactly fails with its field named, and stored data stays as it was.
struct SaveFidelityRouteTests {
    private let path = "/v1/companies/12.345.678-5/memories"

    @Test("A NUL in content fails the item naming memories[0].content; saving it again still fails")
    func nulContent() async throws {
        try await withTestApp { client, database, sync in
            let body = #"{"memories":[{"slug":"clave","content":"Clave: 12\u000034 fin"}]}"#
            for _ in 0..<2 {
                let response = try await client.execute(uri: path, method: .post, body: jsonBody(body))
                let result = try response.json(SaveBatchResult.self)
                #expect(result.items.map(\.status) == [.failed])
                #expect(result.items[0].error?.hasPrefix("memories[0].content:") == true, "\(result.items[0].error ?? "")")
            }
            #expect(try await database.counts(.company).live == 0)
            #expect(sync.kickCount == 0, "nothing to push")
        }
    }

    @Test("Metadata that does not decode fails the item naming the member, and the row keeps its metadata")
    func undecodableMetadata() async throws {
        try await withTestApp { client, _, _ in
            let good = #"{"memories":[{"slug":"a","content":"x","metadata":{"keep":"me"}}]}"#
            #expect(try await client.execute(uri: path, method: .post, body: jsonBody(good)).status == .ok)
            let bad = #"{"memories":[{"slug":"a","content":"x","metadata":{"n":1e400,"keep":"me"}}]}"#
            let result = try await client.execute(uri: path, method: .post, body: jsonBody(bad)).json(SaveBatchResult.self)
            #expect(result.items.map(\.status) == [.failed])
            #expect(result.items[0].error?.hasPrefix("memories[0].metadata.n:") == true, "\(result.items[0].error ?? "")")
            let stored = try await client.execute(uri: path + "/a", method: .get).json(Memory.self)
            #expect(stored.metadata == ["keep": .string("me")])
        }
    }
}
