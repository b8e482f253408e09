import BrainCore
import BrainSync
import FakeMem0
import Foundation
import Testing

/// List (all pages, metadata filter) and search (scoped to one user).
@Suite(.timeLimit(.minutes(1)))
struct Mem0ClientListSearchTests {
    @Test func listFollowsEveryPage() async throws {
        try await withFakeMem0 { server, client in
            for index in 0..<450 {
                await server.insertMemory(FakeMemory(memory: "memory \(index)", userID: "u1"))
            }
            await server.insertMemory(FakeMemory(memory: "someone else's", userID: "u2"))

            let memories = try await client.list(userID: "u1", metadataFilter: nil)

            #expect(memories.count == 450)
            #expect(Set(memories.map(\.id)).count == 450)
            #expect(memories.allSatisfy { $0.userID == "u1" })
            let queries = await server.requestLog().filter { $0.route == .list }.map(\.query)
            #expect(queries == ["page=1&page_size=200", "page=2&page_size=200", "page=3&page_size=200"])
        }
    }

    @Test func entitiesFollowEveryPage() async throws {
        try await withFakeMem0 { server, client in
            for index in 0..<250 {
                await server.insertMemory(FakeMemory(memory: "m", userID: "user-\(1000 + index)"))
            }
            await server.insertMemory(FakeMemory(memory: "second memory of one user", userID: "user-1000"))

            let entities = try await client.entities()

            #expect(entities.count == 250)
            #expect(entities.first == Mem0Entity(name: "user-1000", type: "user"))
            let queries = await server.requestLog().filter { $0.route == .entities }.map(\.query)
            #expect(queries == ["page=1&page_size=200", "page=2&page_size=200"])
        }
    }

    @Test func listOfAnEmptyUserIsEmpty() async throws {
        try await withFakeMem0 { _, client in
            let memories = try await client.list(userID: "nobody", metadataFilter: nil)
            #expect(memories.isEmpty)
        }
    }

    @Test func listAppliesTheMetadataFilter() async throws {
        try await withFakeMem0 { server, client in
            await server.insertMemory(FakeMemory(memory: "a", userID: "u1", metadata: ["brain": "user", "record_id": "r1"]))
            await server.insertMemory(FakeMemory(memory: "b", userID: "u1", metadata: ["brain": "user", "record_id": "r2"]))
            await server.insertMemory(FakeMemory(memory: "c", userID: "u1", metadata: ["brain": "company", "record_id": "r3"]))
            await server.insertMemory(FakeMemory(memory: "d", userID: "u2", metadata: ["brain": "user", "record_id": "r4"]))

            let users = try await client.list(userID: "u1", metadataFilter: ["brain": .string("user")])
            let one = try await client.list(userID: "u1", metadataFilter: ["record_id": .string("r3")])

            #expect(Set(users.map(\.memory)) == ["a", "b"])
            #expect(one.map(\.memory) == ["c"])
        }
    }

    @Test func listUsesTheConfiguredPageSize() async throws {
        try await withFakeMem0(configure: { $0.listPageSize = 7 }) { server, client in
            for index in 0..<15 {
                await server.insertMemory(FakeMemory(memory: "m\(index)", userID: "u1"))
            }
            let memories = try await client.list(userID: "u1", metadataFilter: nil)
            #expect(memories.count == 15)
            #expect(await server.requestCount(.list) == 3)
        }
    }

    @Test func searchIsScopedToTheUser() async throws {
        try await withFakeMem0 { server, client in
            await server.insertMemory(FakeMemory(memory: "Drinks green tea every morning", userID: "alice"))
            await server.insertMemory(FakeMemory(memory: "Prefers tea over coffee", userID: "alice"))
            await server.insertMemory(FakeMemory(memory: "Lives in Valparaiso", userID: "alice"))
            await server.insertMemory(FakeMemory(memory: "Also likes green tea", userID: "bob"))

            let hits = try await client.search(query: "green tea", userID: "alice", topK: 10, threshold: nil)

            #expect(hits.map(\.memory) == ["Drinks green tea every morning", "Prefers tea over coffee"])
            #expect(hits.allSatisfy { $0.userID == "alice" })
            #expect(hits.first?.score == 1)
            #expect((hits.last?.score ?? 0) < 1)
        }
    }

    @Test func searchHonoursTopKAndThreshold() async throws {
        try await withFakeMem0 { server, client in
            for text in ["tea one", "tea two", "tea three", "green only"] {
                await server.insertMemory(FakeMemory(memory: text, userID: "u1"))
            }
            let top = try await client.search(query: "tea", userID: "u1", topK: 2, threshold: nil)
            let strict = try await client.search(query: "green tea", userID: "u1", topK: 10, threshold: 0.9)

            #expect(top.count == 2)
            #expect(strict.isEmpty)
        }
    }

    @Test func searchRejectsAnEmptyQueryWithoutSending() async throws {
        try await withFakeMem0 { server, client in
            let error = await mem0Error { _ = try await client.search(query: "  ", userID: "u1", topK: 5, threshold: nil) }
            #expect(error?.failureClass == .permanent)
            #expect(await server.requestLog().isEmpty)
        }
    }
}
