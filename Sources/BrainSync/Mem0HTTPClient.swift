import AsyncHTTPClient
import BrainCore
import Foundation
import Logging
import NIOHTTP1

/// ``Mem0Client`` over AsyncHTTPClient.
///
/// Each client owns its connection pool (no cookies, no cache, no redirects; see
/// ``makeHTTPClient(maxConnections:)``) and never retries; see ``Mem0Error/failureClass``.
/// It started on URLSession; on Linux that cost twice the CPU per request, needed workarounds
/// for sub-second timeouts and for a deadlock on cancel, and stalled when descriptor 0 was closed.
public final class Mem0HTTPClient: Mem0Client {
    let transport: Mem0Transport
    /// The settings this client was created with (the key is redacted when printed).
    public var settings: Mem0Settings { transport.settings }
    var logger: Logger { transport.logger }

    /// Creates a client.
    /// - Parameters:
    ///   - settings: Key, base URL, timeouts and poll budget.
    ///   - logger: Receives one debug line per request (method, path, status, time); never headers.
    public init(settings: Mem0Settings, logger: Logger = Logger(label: "braind.mem0")) {
        self.transport = Mem0Transport(settings: settings, authentication: .token, logger: logger)
    }

    // MARK: - Mem0Client

    public func ping() async throws -> Mem0PingResponse {
        let data = try await transport.perform(.GET, "/v1/ping/")
        return try transport.decode(Mem0PingResponse.self, from: data, endpoint: "GET /v1/ping/")
    }

    public func add(text: String, userID: String, metadata: [String: JSONValue]) async throws -> Mem0AddOutcome {
        let body = Mem0Requests.Add(
            messages: [.init(role: "user", content: text)],
            userID: userID,
            metadata: metadata,
            infer: false
        )
        let endpoint = "POST /v3/memories/add/"
        let data = try await transport.perform(.POST, "/v3/memories/add/", body: transport.encode(body))
        let response = try transport.decode(Mem0AddResponse.self, from: data, endpoint: endpoint)
        return try await outcome(of: response, endpoint: endpoint)
    }

    public func event(id: String) async throws -> Mem0Event {
        let path = "/v1/event/\(Mem0Transport.pathSegment(id))/"
        let data = try await transport.perform(.GET, path)
        return try transport.decode(Mem0Event.self, from: data, endpoint: "GET \(path)")
    }

    public func get(id: String) async throws -> Mem0Memory {
        let path = "/v1/memories/\(Mem0Transport.pathSegment(id))/"
        let data = try await transport.perform(.GET, path)
        return try transport.decode(Mem0Memory.self, from: data, endpoint: "GET \(path)")
    }

    public func update(id: String, text: String?, metadata: [String: JSONValue]?) async throws -> Mem0Memory {
        guard text != nil || metadata != nil else {
            throw Mem0Error.invalidArgument("update needs text or metadata")
        }
        let path = "/v1/memories/\(Mem0Transport.pathSegment(id))/"
        let data = try await transport.perform(.PUT, path, body: transport.encode(Mem0Requests.Update(text: text, metadata: metadata)))
        return try transport.decode(Mem0Memory.self, from: data, endpoint: "PUT \(path)")
    }

    public func delete(id: String) async throws {
        _ = try await transport.perform(.DELETE, "/v1/memories/\(Mem0Transport.pathSegment(id))/")
    }

    public func list(userID: String, metadataFilter: [String: JSONValue]?) async throws -> [Mem0Memory] {
        let pageSize = min(max(settings.listPageSize, 1), Mem0Settings.maxListPageSize)
        let body = try transport.encode(Mem0Requests.List(filters: Mem0Requests.filters(userID: userID, metadata: metadataFilter)))
        return try await allPages(.POST, "/v3/memories/", pageSize: pageSize, body: body, of: Mem0Memory.self, identity: \.id)
    }

    public func search(query: String, userID: String, topK: Int, threshold: Double?) async throws -> [Mem0Memory] {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Mem0Error.invalidArgument("search query is empty") }
        let body = Mem0Requests.Search(
            query: trimmed,
            filters: Mem0Requests.filters(userID: userID, metadata: nil),
            topK: topK,
            threshold: threshold
        )
        let data = try await transport.perform(.POST, "/v3/memories/search/", body: transport.encode(body))
        return try transport.decode(Mem0SearchResponse.self, from: data, endpoint: "POST /v3/memories/search/").results
    }

    public func entities() async throws -> [Mem0Entity] {
        try await allPages(.GET, "/v1/entities/", pageSize: Mem0Settings.maxListPageSize, of: Mem0Entity.self, identity: \.self)
    }

    // MARK: - Helpers

    /// Every item of a paged list endpoint, each once.
    ///
    /// Pages are numbered here rather than taken from `next`: `next` is built by the server from
    /// its own idea of its host, and following it would send the key wherever it points. Offset
    /// pages shift when items are added meanwhile, so an item seen on an earlier page is skipped.
    private func allPages<Item: Decodable, ID: Hashable>(
        _ method: HTTPMethod, _ path: String, pageSize: Int, body: Data? = nil, of type: Item.Type, identity: (Item) -> ID
    ) async throws -> [Item] {
        var items: [Item] = []
        var seen = Set<ID>()
        var page = 1
        while true {
            let data = try await transport.perform(method, path, query: "page=\(page)&page_size=\(pageSize)", body: body)
            let result = try transport.decode(Mem0Page<Item>.self, from: data, endpoint: "\(method.rawValue) \(path)")
            for item in result.results where seen.insert(identity(item)).inserted {
                items.append(item)
            }
            guard result.next != nil, !result.results.isEmpty, page < Self.maxListPages else { break }
            page += 1
        }
        return items
    }

    /// A stop for servers whose `next` never ends: 10,000 pages of 200 is two million memories.
    static let maxListPages = 10_000
}

extension Duration {
    /// The duration in seconds, for Foundation APIs.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
