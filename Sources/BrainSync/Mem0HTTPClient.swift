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
    /// The settings this client was created with (the key is redacted when printed).
    public let settings: Mem0Settings
    let http: HTTPClient
    /// The base URL without trailing slashes, ready to prepend to a path.
    let baseURL: String
    let logger: Logger

    /// Creates a client.
    /// - Parameters:
    ///   - settings: Key, base URL, timeouts and poll budget.
    ///   - logger: Receives one debug line per request (method, path, status, time); never headers.
    public init(settings: Mem0Settings, logger: Logger = Logger(label: "braind.mem0")) {
        self.settings = settings
        self.logger = logger
        var base = settings.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = Self.makeHTTPClient(maxConnections: settings.maxConnections)
    }

    deinit {
        // The pool must be shut down before it is released; this keeps it alive until it is.
        http.shutdown { _ in }
    }

    // MARK: - Mem0Client

    public func ping() async throws -> Mem0PingResponse {
        let data = try await perform(.GET, "/v1/ping/")
        return try decode(Mem0PingResponse.self, from: data, endpoint: "GET /v1/ping/")
    }

    public func add(text: String, userID: String, metadata: [String: JSONValue]) async throws -> Mem0AddOutcome {
        let body = Mem0Requests.Add(
            messages: [.init(role: "user", content: text)],
            userID: userID,
            metadata: metadata,
            infer: false
        )
        let endpoint = "POST /v3/memories/add/"
        let data = try await perform(.POST, "/v3/memories/add/", body: encode(body))
        let response = try decode(Mem0AddResponse.self, from: data, endpoint: endpoint)
        return try await outcome(of: response, endpoint: endpoint)
    }

    public func event(id: String) async throws -> Mem0Event {
        let path = "/v1/event/\(Self.pathSegment(id))/"
        let data = try await perform(.GET, path)
        return try decode(Mem0Event.self, from: data, endpoint: "GET \(path)")
    }

    public func get(id: String) async throws -> Mem0Memory {
        let path = "/v1/memories/\(Self.pathSegment(id))/"
        let data = try await perform(.GET, path)
        return try decode(Mem0Memory.self, from: data, endpoint: "GET \(path)")
    }

    public func update(id: String, text: String?, metadata: [String: JSONValue]?) async throws -> Mem0Memory {
        guard text != nil || metadata != nil else {
            throw Mem0Error.invalidArgument("update needs text or metadata")
        }
        let path = "/v1/memories/\(Self.pathSegment(id))/"
        let data = try await perform(.PUT, path, body: encode(Mem0Requests.Update(text: text, metadata: metadata)))
        return try decode(Mem0Memory.self, from: data, endpoint: "PUT \(path)")
    }

    public func delete(id: String) async throws {
        _ = try await perform(.DELETE, "/v1/memories/\(Self.pathSegment(id))/")
    }

    public func list(userID: String, metadataFilter: [String: JSONValue]?) async throws -> [Mem0Memory] {
        let pageSize = min(max(settings.listPageSize, 1), Mem0Settings.maxListPageSize)
        let body = try encode(Mem0Requests.List(filters: Mem0Requests.filters(userID: userID, metadata: metadataFilter)))
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
        let data = try await perform(.POST, "/v3/memories/search/", body: encode(body))
        return try decode(Mem0SearchResponse.self, from: data, endpoint: "POST /v3/memories/search/").results
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
            let data = try await perform(method, path, query: "page=\(page)&page_size=\(pageSize)", body: body)
            let result = try decode(Mem0Page<Item>.self, from: data, endpoint: "\(method.rawValue) \(path)")
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

    /// Percent-encodes an id for use as one path segment, as mem0ai 2.2.1 does (`quote(v, safe="")`).
    static func pathSegment(_ id: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? id
    }

    func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            throw Mem0Error.invalidArgument("request body could not be encoded: \(error)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from data: Data, endpoint: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            let snippet = String(decoding: data.prefix(200), as: UTF8.self)
            throw Mem0Error.invalidResponse(endpoint: endpoint, reason: redact("\(error) in body: \(snippet)"))
        }
    }

    /// Masks the API key in any text that came from the server, in case it echoes the key back.
    func redact(_ text: String) -> String {
        let key = settings.apiKey
        guard key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "<redacted>")
    }
}

extension Duration {
    /// The duration in seconds, for Foundation APIs.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
