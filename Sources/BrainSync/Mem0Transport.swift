import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Logging

/// The one HTTP transport under both Mem0 dialects: sends, deadlines, redaction and network
/// failure classes. What differs between the Platform and the OSS server (paths, answers,
/// missing-memory signals) lives in the dialects, never here.
public final class Mem0Transport: Sendable {
    /// How a dialect proves the key.
    public enum Authentication: Sendable {
        /// `Authorization: Token KEY` (the Platform).
        case token
        /// `X-API-Key: KEY` (the OSS server); nothing when the key is empty (auth disabled).
        case apiKeyHeader
    }

    /// The settings this transport was created with (the key is redacted when printed).
    public let settings: Mem0Settings
    let http: HTTPClient
    /// The base URL without trailing slashes, ready to prepend to a path.
    let baseURL: String
    let logger: Logger
    let authentication: Authentication

    /// A dialect's reading of an error answer's status (the OSS server reports its providers'
    /// rate limits and key failures as 502 with a `code`).
    let statusOf: @Sendable (Int, Data) -> Int

    init(
        settings: Mem0Settings, authentication: Authentication, logger: Logger,
        statusOf: @escaping @Sendable (Int, Data) -> Int = { status, _ in status }
    ) {
        self.statusOf = statusOf
        self.settings = settings
        self.logger = logger
        self.authentication = authentication
        var base = settings.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = Self.makeHTTPClient(maxConnections: settings.maxConnections)
    }

    deinit {
        // The pool must be shut down before it is released; this keeps it alive until it is.
        http.shutdown { _ in }
    }

    /// The HTTP client behind every transport: no redirects (a 3xx answer reaches the
    /// caller as an error, so the key never follows a `Location` to another origin), no
    /// decompression, and a refused connection fails at once instead of being retried by the
    /// pool until the deadline.
    static func makeHTTPClient(maxConnections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, maxConnections)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request and returns the body of a 2xx answer.
    ///
    /// Non-2xx answers become ``Mem0Error/http(status:message:retryAfter:endpoint:)``; network
    /// failures and the deadline become ``Mem0Error/transport(_:endpoint:)``.
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: Absolute path ending in `/`, already percent-encoded.
    ///   - query: Query string without `?`, already encoded.
    ///   - body: JSON body.
    func perform(_ method: HTTPMethod, _ path: String, query: String? = nil, body: Data? = nil) async throws -> Data {
        let endpoint = "\(method.rawValue) \(path)"
        var request = HTTPClientRequest(url: baseURL + path + (query.map { "?" + $0 } ?? ""))
        request.method = method
        switch authentication {
        case .token:
            request.headers.add(name: "Authorization", value: "Token \(settings.apiKey)")
        case .apiKeyHeader:
            if !settings.apiKey.isEmpty { request.headers.add(name: "X-API-Key", value: settings.apiKey) }
        }
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "X-Mem0-Client", value: "braind")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }

        let started = ContinuousClock.now
        let status: Int
        let headers: HTTPHeaders
        let data: Data
        do {
            let deadline = NIODeadline.now() + TimeAmount(settings.requestTimeout)
            let response = try await http.execute(request, deadline: deadline)
            status = Int(response.status.code)
            headers = response.headers
            data = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch {
            try Task.checkCancellation()
            let failure = Self.transportFailure(error)
            logger.debug("mem0 request failed", metadata: ["braind.mem0.endpoint": "\(endpoint)", "braind.mem0.failure": "\(failure)"])
            if case .other = failure, error is NIOTooManyBytesError {
                throw Mem0Error.invalidResponse(endpoint: endpoint, reason: "answer larger than \(Self.maxResponseBytes) bytes")
            }
            throw Mem0Error.transport(failure, endpoint: endpoint)
        }
        logger.debug(
            "mem0 request",
            metadata: [
                "braind.mem0.endpoint": "\(endpoint)",
                "braind.mem0.status": "\(status)",
                "braind.mem0.elapsed": "\(ContinuousClock.now - started)",
            ]
        )
        guard (200..<300).contains(status) else {
            let retryAfter = headers.first(name: "Retry-After").flatMap { Mem0RetryAfter.parse($0) }
            throw Mem0Error.http(
                status: statusOf(status, data),
                message: redact(Mem0ErrorBody.message(from: data, status: status)),
                retryAfter: retryAfter,
                endpoint: endpoint
            )
        }
        return data
    }

    /// The largest answer read: a full list page of 200 memories is well under 1 MiB.
    static let maxResponseBytes = 32 << 20

    /// Classifies a failure that left no HTTP answer.
    static func transportFailure(_ error: any Error) -> Mem0TransportFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return .timeout
            case .remoteConnectionClosed:
                return .connectionReset
            case .invalidURL, .emptyHost, .emptyScheme:
                return .invalidURL
            default:
                return .other("\(error)")
            }
        }
        if let error = error as? NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty { return .hostNotFound }
            if let first = error.connectionErrors.first { return transportFailure(first.error) }
            return .other("\(error)")
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return .connectionRefused
            case ECONNRESET, EPIPE, ECONNABORTED: return .connectionReset
            case ETIMEDOUT: return .timeout
            default: return .other("\(error)")
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timeout
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return .connectionReset
            default: return .other("\(error)")
            }
        }
        if error is SocketAddressError { return .hostNotFound }
        return .other("\(error)")
    }

    /// Percent-encodes an id for use as one path segment, as mem0ai 2.2.1 does (`quote(v, safe="")`).
    static func pathSegment(_ id: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? id
    }

    /// Percent-encodes a query value.
    static func queryValue(_ value: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
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
