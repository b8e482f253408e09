import BrainCore
import Foundation
import Logging

/// ``Mem0Client`` for Mem0's self-hosted OSS REST server (the `server/` app of the mem0
/// repository), over the same ``Mem0Transport`` as the Platform. Where the server differs, this
/// dialect makes it look like the Platform to the callers:
/// - a missing memory answers 200 `null`; it becomes the Platform's 404;
/// - an update answers a message; the memory is read back;
/// - adds are synchronous (no events to poll);
/// - a listing is capped at ``maxListing`` with no pages: ``listing(userID:)`` says when it is;
/// - provider failures come as 502 with a `code`: rate limits count as 429, key failures as 401.
public final class Mem0OSSClient: Mem0Client {
    let transport: Mem0Transport
    public var settings: Mem0Settings { transport.settings }

    /// The most memories one listing returns (`top_k` ≤ 1000).
    public static let maxListing = 1_000

    public init(settings: Mem0Settings, logger: Logger = Logger(label: "braind.mem0")) {
        transport = Mem0Transport(settings: settings, authentication: .apiKeyHeader, logger: logger, statusOf: Self.status)
    }

    /// The status a 502 with a provider `code` stands for.
    static func status(_ status: Int, _ body: Data) -> Int {
        guard status == 502, case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: body),
            case .string(let code)? = object["code"]
        else { return status }
        switch code {
        case "provider_rate_limited": return 429
        case "provider_auth_failed": return 401
        default: return status
        }
    }

    /// There is no ping route: a one-memory listing of a reserved id proves the address and the key.
    public func ping() async throws -> Mem0PingResponse {
        _ = try await transport.perform(.GET, "/memories", query: "user_id=braind-ping&top_k=1")
        return Mem0PingResponse(status: "ok")
    }

    public func add(text: String, userID: String, metadata: [String: JSONValue]) async throws -> Mem0AddOutcome {
        let body = Mem0Requests.Add(messages: [.init(role: "user", content: text)], userID: userID, metadata: metadata, infer: false)
        let data = try await transport.perform(.POST, "/memories", body: transport.encode(body))
        let results = try transport.decode(Mem0SearchResponse.self, from: data, endpoint: "POST /memories").results
        let ids = results.map(\.id)
        return ids.isEmpty ? .nothingStored(eventID: nil) : .stored(ids: ids, eventID: nil)
    }

    public func event(id: String) async throws -> Mem0Event {
        throw Mem0Error.invalidArgument("the OSS server has no add events")
    }

    public func get(id: String) async throws -> Mem0Memory {
        let path = "/memories/\(Mem0Transport.pathSegment(id))"
        let data = try await transport.perform(.GET, path)
        if String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "null" {
            throw Mem0Error.http(status: 404, message: "Memory not found (the server answered null)", retryAfter: nil, endpoint: "GET \(path)")
        }
        return try transport.decode(Mem0Memory.self, from: data, endpoint: "GET \(path)")
    }

    public func update(id: String, text: String?, metadata: [String: JSONValue]?) async throws -> Mem0Memory {
        guard text != nil || metadata != nil else { throw Mem0Error.invalidArgument("update needs text or metadata") }
        let path = "/memories/\(Mem0Transport.pathSegment(id))"
        _ = try await transport.perform(.PUT, path, body: transport.encode(Mem0Requests.Update(text: text, metadata: metadata)))
        return try await get(id: id)
    }

    public func delete(id: String) async throws {
        _ = try await transport.perform(.DELETE, "/memories/\(Mem0Transport.pathSegment(id))")
    }

    public func list(userID: String, metadataFilter: [String: JSONValue]?) async throws -> [Mem0Memory] {
        let memories = try await listing(userID: userID).memories
        guard let metadataFilter else { return memories }
        return memories.filter { memory in metadataFilter.allSatisfy { memory.metadata[$0.key] == $0.value } }
    }

    public func listing(userID: String) async throws -> Mem0Listing {
        let query = "user_id=\(Mem0Transport.queryValue(userID))&top_k=\(Self.maxListing)"
        let data = try await transport.perform(.GET, "/memories", query: query)
        let memories = try transport.decode(Mem0SearchResponse.self, from: data, endpoint: "GET /memories").results
        return Mem0Listing(memories: memories, complete: memories.count < Self.maxListing)
    }

    /// A capped listing may not show the row's memory, so the row's own text, searched for, is
    /// asked too: an earlier add of that text is its best match.
    public func memories(carrying recordID: String, userID: String, text: String) async throws -> [Mem0Memory] {
        let listing = try await listing(userID: userID)
        var found = listing.memories
        if !listing.complete, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let seen = Set(found.map(\.id))
            found += try await search(query: text, userID: userID, topK: 100, threshold: 0).filter { !seen.contains($0.id) }
        }
        return found.filter { $0.metadata["record_id"] == .string(recordID) }
    }

    public func search(query: String, userID: String, topK: Int, threshold: Double?) async throws -> [Mem0Memory] {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Mem0Error.invalidArgument("search query is empty") }
        let body = Mem0Requests.Search(
            query: trimmed, filters: Mem0Requests.filters(userID: userID, metadata: nil), topK: topK, threshold: threshold)
        let data = try await transport.perform(.POST, "/search", body: transport.encode(body))
        return try transport.decode(Mem0SearchResponse.self, from: data, endpoint: "POST /search").results
    }

    /// `GET /entities`; its answer is not documented, so a bare array and `{"results": [...]}` are both read.
    public func entities() async throws -> [Mem0Entity] {
        let data = try await transport.perform(.GET, "/entities")
        return try transport.decode(Mem0Page<Mem0Entity>.self, from: data, endpoint: "GET /entities").results
    }
}
