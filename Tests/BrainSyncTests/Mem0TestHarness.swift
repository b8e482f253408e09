import BrainCore
import BrainSync
import FakeMem0
import Foundation

/// Starts a fresh in-process fake-mem0 and a client pointed at it, runs `body`, stops the fake.
///
/// The client polls events every 10 ms so async-add tests stay fast.
/// - Parameters:
///   - settings: Initial fake behaviour.
///   - configure: Changes to the client settings before the client is made.
func withFakeMem0<R>(
    settings: FakeMem0Settings = .init(),
    configure: (inout Mem0Settings) -> Void = { _ in },
    _ body: (FakeMem0Server, Mem0HTTPClient) async throws -> R
) async throws -> R {
    let server = FakeMem0Server(configuration: .init(settings: settings))
    try await server.start()
    var clientSettings = Mem0Settings(
        apiKey: settings.apiKey ?? FakeMem0Settings.defaultAPIKey,
        baseURL: server.baseURL,
        requestTimeout: .seconds(10),
        eventPollInterval: .milliseconds(10),
        eventPollMaxAttempts: 50,
        eventPollMaxDuration: .seconds(30)
    )
    configure(&clientSettings)
    let client = Mem0HTTPClient(settings: clientSettings)
    do {
        let result = try await body(server, client)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs `operation`, expecting it to throw a ``Mem0Error``; returns it (nil if it did not throw one).
func mem0Error(_ operation: () async throws -> Void) async -> Mem0Error? {
    do {
        try await operation()
        return nil
    } catch let error as Mem0Error {
        return error
    } catch {
        return nil
    }
}

extension FakeJSON {
    /// The fake's JSON for a client-side `JSONValue`, to compare what was sent with what was stored.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let v): self = .bool(v)
        case .int(let v): self = .int(v)
        case .double(let v): self = .double(v)
        case .string(let v): self = .string(v)
        case .array(let v): self = .array(v.map(FakeJSON.init))
        case .object(let v): self = .object(v.mapValues(FakeJSON.init))
        }
    }
}

/// Metadata as braind sends it: brain, slug, category, record id and an extra.
func sampleMetadata(recordID: String = "rec-1", slug: String = "likes-tea") -> [String: JSONValue] {
    [
        "brain": .string("user"), "slug": .string(slug), "category": .string("preferences"),
        "record_id": .string(recordID), "extra": .object(["n": .int(1), "tags": .array([.string("a")])]),
    ]
}
