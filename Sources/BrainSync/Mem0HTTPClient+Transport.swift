import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension Mem0HTTPClient {
    /// Sends one request and returns the body of a 2xx answer.
    ///
    /// Non-2xx answers become ``Mem0Error/http(status:message:retryAfter:endpoint:)``, since
    /// URLSession does not throw for them; loading errors become ``Mem0Error/transport(_:endpoint:)``.
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: Absolute path ending in `/`, already percent-encoded.
    ///   - query: Query string without `?`, already encoded.
    ///   - body: JSON body.
    func perform(_ method: String, _ path: String, query: String? = nil, body: Data? = nil) async throws -> Data {
        let endpoint = "\(method) \(path)"
        var base = settings.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + path + (query.map { "?" + $0 } ?? "")) else {
            throw Mem0Error.invalidArgument("cannot build a URL from the base URL and \(path)")
        }
        var request = URLRequest(url: url, timeoutInterval: Self.backstopTimeout(settings.requestTimeout))
        request.httpMethod = method
        request.setValue("Token \(settings.apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("braind", forHTTPHeaderField: "X-Mem0-Client")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body
        }

        let started = ContinuousClock.now
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await load(request, deadline: settings.requestTimeout)
        } catch is DeadlineExceeded {
            logger.debug("mem0 request timed out", metadata: ["braind.mem0.endpoint": "\(endpoint)"])
            throw Mem0Error.transport(.timeout, endpoint: endpoint)
        } catch {
            try Task.checkCancellation()
            let failure = Self.transportFailure(error)
            logger.debug(
                "mem0 request failed",
                metadata: ["braind.mem0.endpoint": "\(endpoint)", "braind.mem0.failure": "\(failure)"]
            )
            throw Mem0Error.transport(failure, endpoint: endpoint)
        }
        guard let http = response as? HTTPURLResponse else {
            throw Mem0Error.invalidResponse(endpoint: endpoint, reason: "not an HTTP response")
        }
        logger.debug(
            "mem0 request",
            metadata: [
                "braind.mem0.endpoint": "\(endpoint)",
                "braind.mem0.status": "\(http.statusCode)",
                "braind.mem0.elapsed": "\(ContinuousClock.now - started)",
            ]
        )
        guard (200..<300).contains(http.statusCode) else {
            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Mem0RetryAfter.parse($0) }
            throw Mem0Error.http(
                status: http.statusCode,
                message: redact(Mem0ErrorBody.message(from: data, status: http.statusCode)),
                retryAfter: retryAfter,
                endpoint: endpoint
            )
        }
        return data
    }

    /// The timeout handed to URLSession itself, only as a backstop behind ``withDeadline(_:_:)``.
    ///
    /// swift-corelibs-foundation arms its timer with `Int(timeoutInterval) * 1000` ms, so a
    /// sub-second timeout becomes 0 ms and fires before the request is sent, and 2.5 s becomes 2 s.
    /// The real deadline is therefore enforced by the client, and URLSession gets a whole number of
    /// seconds comfortably past it.
    static func backstopTimeout(_ timeout: Duration) -> TimeInterval {
        timeout.timeInterval.rounded(.up) + 5
    }

    /// Loads a request, throwing ``DeadlineExceeded`` if it outlasts `deadline`.
    ///
    /// Tasks are never cancelled from a Swift concurrency thread: in swift-corelibs-foundation
    /// (issue #5412, fixed upstream by PR #5417 but not in this toolchain) `URLSessionTask.cancel()`
    /// can deadlock against the session's queue delivering that task's completion, and with both
    /// cooperative threads stuck there braind stopped answering. Cancellation and the deadline
    /// therefore run on Dispatch threads, and the continuation resumes exactly once.
    func load(_ request: URLRequest, deadline: Duration) async throws -> (Data, URLResponse) {
        let pending = PendingLoad()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                pending.arm(continuation)
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        pending.finish(.failure(error))
                    } else if let data, let response {
                        pending.finish(.success((data, response)))
                    } else {
                        pending.finish(.failure(URLError(.badServerResponse)))
                    }
                }
                pending.attach(task)
                DispatchQueue.global().asyncAfter(deadline: .now() + deadline.timeInterval) {
                    pending.finish(.failure(DeadlineExceeded()))
                    task.cancel()
                }
                task.resume()
            }
        } onCancel: {
            DispatchQueue.global().async { pending.cancel() }
        }
    }

    /// The client-side request deadline passed.
    struct DeadlineExceeded: Error {}

    /// Classifies a URL loading error.
    static func transportFailure(_ error: any Error) -> Mem0TransportFailure {
        let code = (error as? URLError)?.errorCode ?? (error as NSError).code
        switch code {
        case URLError.timedOut.rawValue:
            return .timeout
        case URLError.networkConnectionLost.rawValue, URLError.badServerResponse.rawValue,
            URLError.zeroByteResource.rawValue, URLError.cannotParseResponse.rawValue:
            // libcurl reports a peer that closed or reset the connection before answering
            // ("Empty reply from server", "Recv failure") as one of these.
            return .connectionReset
        case URLError.cannotConnectToHost.rawValue:
            return .connectionRefused
        case URLError.cannotFindHost.rawValue, URLError.dnsLookupFailed.rawValue:
            return .hostNotFound
        default:
            return .other(code: code)
        }
    }
}

/// One in-flight URLSession load: its task and the continuation to resume once.
final class PendingLoad: @unchecked Sendable {
    // @unchecked: every field is only touched under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<(Data, URLResponse), any Error>?
    private var task: URLSessionDataTask?
    private var cancelled = false

    func arm(_ continuation: CheckedContinuation<(Data, URLResponse), any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func attach(_ task: URLSessionDataTask) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        if cancelNow { task.cancel() }
    }

    /// Resumes the continuation with the first result; later results are dropped.
    func finish(_ result: Result<(Data, URLResponse), any Error>) {
        let continuation = lock.withLock { () -> CheckedContinuation<(Data, URLResponse), any Error>? in
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(with: result)
    }

    func cancel() {
        let task = lock.withLock { () -> URLSessionDataTask? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
