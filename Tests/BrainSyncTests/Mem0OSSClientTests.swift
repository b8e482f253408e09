@testable import BrainCore
@testable import BrainSync
import FakeMem0
import Foundation
import Testing

/// The OSS dialect against fake-mem0 serving the OSS server's contract.
@Suite(.timeLimit(.minutes(1)))
struct Mem0OSSClientTests {
    static func withOSS(apiKey: String? = FakeMem0Settings.defaultAPIKey, _ body: (FakeMem0Server, Mem0OSSClient) async throws -> Void) async throws {
        var settings = FakeMem0Settings(apiKey: apiKey)
        settings.api = .oss
        let fake = FakeMem0Server(configuration: .init(settings: settings))
        try await fake.start()
        let client = Mem0OSSClient(settings: Mem0Settings(apiKey: apiKey ?? "", baseURL: fake.baseURL, requestTimeout: .seconds(5)))
        do {
            try await body(fake, client)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    @Test("Add is synchronous; get of a missing id (200 null) is a 404; update reads the memory back, its metadata merged")
    func contract() async throws {
        try await Self.withOSS { fake, client in
            _ = try await client.ping()
            guard case .stored(let ids, nil) = try await client.add(text: "hola", userID: "u1", metadata: ["a": .int(1), "b": .int(2)]) else {
                Issue.record("add did not store")
                return
            }
            let id = try #require(ids.first)
            #expect(try await client.get(id: id).memory == "hola")
            let missing = await #expect(throws: Mem0Error.self) { try await client.get(id: UUID().uuidString) }
            #expect(missing?.failureClass == .notFound)
            let updated = try await client.update(id: id, text: "chao", metadata: ["b": .int(3)])
            #expect(updated.memory == "chao")
            #expect(updated.metadata == ["a": .int(1), "b": .int(3)], "the OSS server merges")
            try await client.delete(id: id)
            #expect(await fake.memories().isEmpty)
            let requests = await fake.requestLog().map { "\($0.method) \($0.path)" }
            #expect(requests.contains("POST /memories") && requests.contains("PUT /memories/\(id)"), "no prefix, no trailing slash")
        }
    }

    @Test("A listing says when the 1,000 cap cut it short")
    func cappedListing() async throws {
        try await Self.withOSS { fake, client in
            for index in 0..<1_001 { _ = await fake.insertMemory(FakeMemory(memory: "m\(index)", userID: "u1")) }
            let capped = try await client.listing(userID: "u1")
            #expect(capped.memories.count == 1_000)
            #expect(!capped.complete)
            #expect(try await client.listing(userID: "u2").complete)
        }
    }

    @Test("The key goes in X-API-Key; a server with auth disabled needs none")
    func authentication() async throws {
        try await Self.withOSS { fake, _ in
            let wrong = Mem0OSSClient(settings: Mem0Settings(apiKey: "wrong", baseURL: fake.baseURL))
            let error = await #expect(throws: Mem0Error.self) { _ = try await wrong.ping() }
            #expect(error?.failureClass == .auth)
        }
        try await Self.withOSS(apiKey: nil) { _, client in
            _ = try await client.ping()
        }
    }

    @Test("Provider failures answered 502 with a code: rate limits retry like 429, key failures pause like 401")
    func providerCodes() {
        let limited = Data(#"{"detail":"x","code":"provider_rate_limited","request_id":"ab12"}"#.utf8)
        #expect(Mem0OSSClient.status(502, limited) == 429)
        #expect(Mem0OSSClient.status(502, Data(#"{"detail":"x","code":"provider_auth_failed"}"#.utf8)) == 401)
        #expect(Mem0OSSClient.status(502, Data(#"{"detail":"x","code":"datastore_unavailable"}"#.utf8)) == 502)
        #expect(Mem0OSSClient.status(500, limited) == 500)
    }
}
