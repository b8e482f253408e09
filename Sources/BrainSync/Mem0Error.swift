/// Everything that can go wrong talking to Mem0.
///
/// No case carries request headers, so the API key cannot leak through an error; messages
/// taken from response bodies also have the key masked by the client before they get here.
public enum Mem0Error: Error, Sendable, Hashable {
    /// The server answered with a non-2xx status.
    /// - `message`: parsed defensively from the body (see ``Mem0ErrorBody``).
    /// - `retryAfter`: from the `Retry-After` header (seconds or HTTP-date), when present.
    /// - `endpoint`: method and path, e.g. `POST /v3/memories/add/`.
    case http(status: Int, message: String, retryAfter: Duration?, endpoint: String)
    /// The request did not get an HTTP answer.
    case transport(Mem0TransportFailure, endpoint: String)
    /// A 2xx answer whose body could not be understood.
    case invalidResponse(endpoint: String, reason: String)
    /// An asynchronous add finished with status `FAILED`.
    case eventFailed(eventID: String, message: String?)
    /// An asynchronous add was still pending when the poll budget ran out.
    /// The memory may still be stored later; poll ``Mem0Client/event(id:)`` or list to find out.
    case eventPollTimedOut(eventID: String, lastStatus: String)
    /// The call was rejected before anything was sent (e.g. an update with nothing to change).
    case invalidArgument(String)

    /// The HTTP status, for ``http(status:message:retryAfter:endpoint:)``.
    public var status: Int? {
        if case .http(let status, _, _, _) = self { return status }
        return nil
    }

    /// The server's (or the client's) explanation, without any HTTP framing.
    public var message: String {
        switch self {
        case .http(_, let message, _, _): message
        case .transport(let failure, _): failure.description
        case .invalidResponse(_, let reason): reason
        case .eventFailed(_, let message): message ?? "event failed"
        case .eventPollTimedOut(_, let lastStatus): "event still \(lastStatus) when polling gave up"
        case .invalidArgument(let reason): reason
        }
    }

    /// The server's `Retry-After`, when it sent one.
    public var retryAfter: Duration? {
        if case .http(_, _, let retryAfter, _) = self { return retryAfter }
        return nil
    }

    /// How the push worker should react.
    public var failureClass: Mem0FailureClass {
        switch self {
        case .http(let status, _, let retryAfter, _):
            Mem0FailureClass(httpStatus: status, retryAfter: retryAfter)
        case .transport(let failure, _):
            failure.isRetryable ? .retryable(retryAfter: nil) : .permanent
        // A contract mismatch does not heal by itself; retrying would loop.
        case .invalidResponse, .eventFailed, .invalidArgument:
            .permanent
        // The add was accepted; only its outcome is unknown. Retrying later is the safe default,
        // but the caller should look for the memory before adding it again.
        case .eventPollTimedOut:
            .retryable(retryAfter: nil)
        }
    }
}

extension Mem0Error: CustomStringConvertible {
    public var description: String {
        switch self {
        case .http(let status, let message, let retryAfter, let endpoint):
            let retry = retryAfter.map { ", retry after \($0)" } ?? ""
            return "Mem0 \(endpoint) failed with HTTP \(status): \(message)\(retry)"
        case .transport(let failure, let endpoint):
            return "Mem0 \(endpoint) failed: \(failure)"
        case .invalidResponse(let endpoint, let reason):
            return "Mem0 \(endpoint) returned an unreadable answer: \(reason)"
        case .eventFailed(let eventID, let message):
            return "Mem0 add event \(eventID) failed: \(message ?? "no reason given")"
        case .eventPollTimedOut(let eventID, let lastStatus):
            return "Mem0 add event \(eventID) still \(lastStatus) when polling gave up"
        case .invalidArgument(let reason):
            return "Mem0 request not sent: \(reason)"
        }
    }
}

/// Why a request got no HTTP answer.
public enum Mem0TransportFailure: Sendable, Hashable, CustomStringConvertible {
    /// The request took longer than the configured timeout.
    case timeout
    /// The connection was closed or reset before a full answer arrived.
    case connectionReset
    /// Nothing listened at the address.
    case connectionRefused
    /// The host name did not resolve.
    case hostNotFound
    /// The base URL cannot carry a request (bad scheme, no host): a configuration error.
    case invalidURL
    /// Any other network error, described.
    case other(String)

    /// Whether trying again later can help. Everything except a malformed URL can.
    var isRetryable: Bool { self != .invalidURL }

    public var description: String {
        switch self {
        case .timeout: "timed out"
        case .connectionReset: "connection reset"
        case .connectionRefused: "connection refused"
        case .hostNotFound: "host not found"
        case .invalidURL: "the base URL cannot be used"
        case .other(let reason): "network error (\(reason))"
        }
    }
}

/// The decision a failed call leaves the push worker with.
public enum Mem0FailureClass: Sendable, Hashable {
    /// Try again later, not before `retryAfter` when the server named a delay.
    /// 408, 429, 5xx, timeouts, resets, refused connections and unfinished add events.
    case retryable(retryAfter: Duration?)
    /// The memory (or event) does not exist (404).
    case notFound
    /// The request itself is wrong and will fail again (400, 409, 413, 422, other 4xx,
    /// unreadable 2xx answers, failed add events).
    case permanent
    /// The API key is missing, wrong or lacks access (401, 403). Retrying needs a new key.
    case auth

    /// Classifies an HTTP status.
    public init(httpStatus status: Int, retryAfter: Duration?) {
        switch status {
        case 401, 403: self = .auth
        case 404: self = .notFound
        case 408, 429, 500...599: self = .retryable(retryAfter: retryAfter)
        default: self = .permanent
        }
    }

    /// Whether this is ``retryable(retryAfter:)``.
    public var isRetryable: Bool {
        if case .retryable = self { return true }
        return false
    }
}
