import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

extension Mem0HTTPClient {
    /// The HTTP client behind every ``Mem0HTTPClient``: no redirects (a 3xx answer reaches the
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
        request.headers.add(name: "Authorization", value: "Token \(settings.apiKey)")
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
                status: status,
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
}
