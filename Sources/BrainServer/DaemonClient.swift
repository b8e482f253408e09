import AsyncHTTPClient
import BrainCore
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The one client of braind's socket API, shared by the CLI, the MCP bridge, tests and benchmarks.
public struct DaemonClient: Sendable {
    public let socketPath: String
    /// Per-request deadline.
    public var timeout: Duration
    /// A scoped token sent as `Authorization: Bearer`; nil uses the socket owner's access.
    public var token: String?
    /// The HTTP client; the shared one unless a caller needs its own connection pool (`brain bench`).
    public var http: HTTPClient
    /// Check that the socket accepts connections before each request (see `raw`). A load
    /// generator turns this off: the extra connect would be measured as daemon work.
    public var probeBeforeRequest = true

    public init(socketPath: String, timeout: Duration = .seconds(30), token: String? = nil, http: HTTPClient = DaemonClient.sharedHTTP) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.token = token
        self.http = http
    }

    // MARK: - Typed calls

    public func ping() async throws -> PingReply {
        try await send(.GET, "/v1/ping", as: PingReply.self)
    }

    public func status() async throws -> StatusReport {
        try await send(.GET, "/v1/status", as: StatusReport.self)
    }

    public func save(_ brain: BrainKind, owner: String, memories: [MemoryInput]) async throws -> SaveBatchResult {
        let body = try JSONEncoder().encode(SaveBatchRequest(memories: memories))
        return try await send(.POST, memoriesPath(brain, owner), body: body, as: SaveBatchResult.self)
    }

    /// Sends a save body as given (for `brain save --file`), so the daemon validates it, not the CLI.
    public func save(_ brain: BrainKind, owner: String, rawBody: Data) async throws -> SaveBatchResult {
        try await send(.POST, memoriesPath(brain, owner), body: rawBody, as: SaveBatchResult.self)
    }

    public func memory(_ brain: BrainKind, owner: String, slug: String) async throws -> Memory {
        try await send(.GET, memoriesPath(brain, owner) + "/" + Self.escape(slug), as: Memory.self)
    }

    public func list(
        _ brain: BrainKind, owner: String, category: String? = nil, limit: Int? = nil, cursor: String? = nil
    ) async throws -> MemoryPage {
        var query: [String] = []
        if let category { query.append("category=\(Self.escape(category))") }
        if let limit { query.append("limit=\(limit)") }
        if let cursor { query.append("cursor=\(Self.escape(cursor))") }
        let path = memoriesPath(brain, owner) + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return try await send(.GET, path, as: MemoryPage.self)
    }

    public func delete(_ brain: BrainKind, owner: String, slug: String) async throws -> DeleteResult {
        try await send(.DELETE, memoriesPath(brain, owner) + "/" + Self.escape(slug), as: DeleteResult.self)
    }

    /// Searches one owner's brain (`mode` nil means the daemon's default, `auto`).
    public func search(_ request: SearchRequest) async throws -> SearchResponse {
        try await send(.POST, "/v1/search", body: try JSONEncoder().encode(request), as: SearchResponse.self)
    }

    /// Imports owner data (`companies`, `users` or `sessions`) from a file's bytes.
    public func importOwners(_ kind: String, data: Data, format: String? = nil) async throws -> ImportResult {
        try await send(.POST, "/v1/\(kind)" + (format.map { "?format=\(Self.escape($0))" } ?? ""), body: data, as: ImportResult.self)
    }

    /// Builds one owner's memories from its data (the seed's load task for one owner).
    public func load(_ brain: BrainKind, owner: String) async throws -> LoadResult {
        try await send(.POST, "/v1/load/\(brain.pathSegment)/\(Self.escape(owner))", as: LoadResult.self)
    }

    /// Builds every owner's memories, reporting progress as owners finish; returns the result
    /// object's JSON (`LoadAllCompaniesResult` or `LoadAllUsersResult`).
    public func loadAll(_ brain: BrainKind, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Data {
        var result: Data?
        try await streamLines(.POST, "/v1/load/\(brain.pathSegment)?stream=true") { line in
            let object = try JSONDecoder().decode([String: JSONValue].self, from: line)
            if case .object(let fields)? = object["progress"], case .int(let done)? = fields["done"], case .int(let total)? = fields["total"] {
                progress(Int(done), Int(total))
            } else if let value = object["result"] {
                result = try JSONEncoder().encode(value)
            } else if case .object(let fields)? = object["error"] {
                throw DaemonClientError.api(
                    status: 500, code: fields["code"]?.stringValue ?? "internal", message: fields["message"]?.stringValue ?? "load failed")
            }
        }
        guard let result else { throw DaemonClientError.unexpectedAnswer("the load ended without a result") }
        return result
    }

    /// Creates a scoped token; the answer holds the token itself, shown only this once.
    public func createToken(brain: BrainKind, rut: String, readOnly: Bool) async throws -> CreatedToken {
        let body = try JSONEncoder().encode([brain == .user ? "user" : "company": JSONValue.string(rut), "read_only": .bool(readOnly)])
        return try await send(.POST, "/v1/tokens", body: body, as: CreatedToken.self)
    }

    /// Every token (never the secrets).
    public func tokens() async throws -> [AccessToken] {
        try await send(.GET, "/v1/tokens", as: TokenList.self).tokens
    }

    /// Revokes a token by id.
    public func revokeToken(id: String) async throws {
        _ = try await send(.DELETE, "/v1/tokens/\(Self.escape(id))", as: [String: String].self)
    }

    private struct TokenList: Decodable { var tokens: [AccessToken] }

    /// Moves braind to the configured Mem0 (`brain retarget`).
    public func retarget(dryRun: Bool) async throws -> RetargetReport {
        let body = try JSONEncoder().encode(["dry_run": dryRun])
        return try await send(.POST, "/v1/retarget", body: body, as: RetargetReport.self)
    }

    /// Registers a Mem0 webhook through braind (which holds the key).
    public func registerWebhook(url: String, name: String) async throws -> WebhookInfo {
        let body = try JSONEncoder().encode(["url": url, "name": name])
        return try await send(.POST, "/v1/webhooks", body: body, as: WebhookInfo.self)
    }

    /// The Mem0 project's webhooks.
    public func webhooks() async throws -> [WebhookInfo] {
        try await send(.GET, "/v1/webhooks", as: WebhookList.self).webhooks
    }

    /// Deletes a Mem0 webhook by id.
    public func removeWebhook(id: String) async throws {
        _ = try await send(.DELETE, "/v1/webhooks/\(Self.escape(id))", as: [String: String].self)
    }

    /// Rows Mem0 refused, newest first.
    public func failed(brain: BrainKind? = nil, limit: Int? = nil) async throws -> [Memory] {
        var query: [String] = []
        if let brain { query.append("brain=\(brain.rawValue)") }
        if let limit { query.append("limit=\(limit)") }
        let path = "/v1/failed" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return try await send(.GET, path, as: FailedMemories.self).memories
    }

    /// Puts failed rows back in the push queue; returns how many.
    public func retry(brain: BrainKind? = nil) async throws -> Int {
        try await send(.POST, "/v1/retry" + (brain.map { "?brain=\($0.rawValue)" } ?? ""), as: RetryCount.self).retried
    }

    /// Starts a reconcile run (or joins the one in progress).
    public func startReconcile(_ options: ReconcileOptions) async throws -> ReconcileReport {
        try await send(.POST, "/v1/reconcile", body: try JSONEncoder().encode(options), as: ReconcileReport.self)
    }

    /// One run's report, live while it runs.
    public func reconcileRun(id: String) async throws -> ReconcileReport {
        try await send(.GET, "/v1/reconcile/runs/\(Self.escape(id))", as: ReconcileReport.self)
    }

    /// The latest run's report.
    public func lastReconcile() async throws -> ReconcileReport {
        try await send(.GET, "/v1/reconcile/runs/last", as: ReconcileReport.self)
    }

    /// Stored runs, newest first.
    public func reconcileRuns(limit: Int = 20) async throws -> [ReconcileReport] {
        try await send(.GET, "/v1/reconcile/runs?limit=\(limit)", as: ReconcileRuns.self).runs
    }

    private struct FailedMemories: Decodable { var memories: [Memory] }
    private struct RetryCount: Decodable { var retried: Int }

    // MARK: - Transport

    /// The client's connection pool. It does not keep retrying a socket that refused a
    /// connection: after braind restarts, the next request connects at once instead of waiting
    /// out the pool's backoff (up to a minute with `HTTPClient.shared`).
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        // Below braind's default server.idle_timeout_seconds (60): the client drops an idle
        // connection before braind closes it, so a request never races that close.
        configuration.connectionPool.idleTimeout = .seconds(30)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends a request and decodes a 2xx answer; any other answer throws `DaemonClientError.api`.
    public func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: Data? = nil, as type: T.Type) async throws -> T {
        let (status, data) = try await raw(method, path, body: body)
        guard (200..<300).contains(status) else {
            let error = try? JSONDecoder().decode(ErrorBody.self, from: data)
            throw DaemonClientError.api(
                status: status, code: error?.error.code ?? "http_\(status)",
                message: error?.error.message ?? String(decoding: data, as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw DaemonClientError.unexpectedAnswer("\(T.self): \(error)")
        }
    }

    /// Sends a request and returns the status and body, whatever the status.
    public func raw(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> (status: Int, body: Data) {
        try checkSocketOwnerBeforeSendingToken()
        // A stale socket file (daemon killed) makes the connection pool retry until the deadline;
        // one connect() up front turns "not running" into an immediate, clear answer.
        if probeBeforeRequest { try checkReachable() }
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw DaemonClientError.unexpectedAnswer("cannot build a URL for \(path)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await http.execute(request, timeout: .init(timeout))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(buffer: buffer))
        } catch let error as DaemonClientError {
            throw error
        } catch {
            try checkReachable()
            throw DaemonClientError.transport("\(error)")
        }
    }

    /// Sends a request whose answer is JSON lines, handing each line over as it arrives.
    func streamLines(_ method: HTTPMethod, _ path: String, onLine: (Data) throws -> Void) async throws {
        try checkSocketOwnerBeforeSendingToken()
        try checkReachable()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw DaemonClientError.unexpectedAnswer("cannot build a URL for \(path)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        // Loads of every owner take as long as they take; the deadline only guards a stuck daemon.
        let response = try await http.execute(request, timeout: .hours(1))
        guard response.status.code == 200 else {
            let body = try await response.body.collect(upTo: 1 << 20)
            let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body))
            throw DaemonClientError.api(
                status: Int(response.status.code), code: error?.error.code ?? "http_\(response.status.code)",
                message: error?.error.message ?? String(buffer: body))
        }
        var pending = Data()
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                if !line.isEmpty { try onLine(Data(line)) }
            }
        }
        if !pending.isEmpty { try onLine(pending) }
    }

    /// Throws the reason the socket cannot be reached: only a refused or missing socket means
    /// braind is not running; a path too long or a permission problem is told as such.
    func checkReachable() throws(DaemonClientError) {
        switch UnixSocketProbe.connectError(socketPath) {
        case nil: return
        case ENAMETOOLONG: throw .socketPathTooLong(socket: socketPath, limit: UnixSocketProbe.maxPathBytes)
        case EACCES, EPERM: throw .permissionDenied(socket: socketPath)
        default: throw .notRunning(socket: socketPath)
        }
    }

    private func memoriesPath(_ brain: BrainKind, _ owner: String) -> String {
        "/v1/\(brain.pathSegment)/\(Self.escape(owner))/memories"
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "&", "=", "#"])) ?? text
    }
}

/// What can go wrong talking to braind.
public enum DaemonClientError: Error, Equatable, CustomStringConvertible {
    /// Nothing is listening on the socket.
    case notRunning(socket: String)
    /// The socket path is longer than a Unix socket address holds (`limit` bytes).
    case socketPathTooLong(socket: String, limit: Int)
    /// The socket, or a directory on its path, does not let this user connect.
    case permissionDenied(socket: String)
    /// braind answered with an error body.
    case api(status: Int, code: String, message: String)
    case transport(String)
    case unexpectedAnswer(String)
    /// The socket belongs to another user; a token is not sent there.
    case untrustedSocket(socket: String, owner: UInt32)

    public var description: String {
        switch self {
        case .notRunning(let socket): "braind is not running on \(socket)"
        case .socketPathTooLong(let socket, let limit):
            "the socket path \(socket) is \(socket.utf8.count) bytes; Unix sockets allow at most \(limit)"
        case .permissionDenied(let socket): "permission denied connecting to \(socket)"
        case .api(let status, let code, let message): "\(message) (HTTP \(status), \(code))"
        case .transport(let detail): "cannot talk to braind: \(detail)"
        case .unexpectedAnswer(let detail): "unexpected answer from braind: \(detail)"
        case .untrustedSocket(let socket, let owner):
            "refusing to send the token to \(socket): the socket is owned by uid \(owner), not by you (uid \(geteuid())) or root"
        }
    }
}
