/// A failure the fake injects into Platform requests.
///
/// Faults are checked in the order they were added, after the fixed latency and before the
/// API key check. A fault fires for a request when its route matches (nil matches every
/// route), its `rate` draw succeeds, and it has `count` left; a fault whose count reaches
/// zero is removed. With neither `count` nor `rate` it fires on every matching request.
public struct FakeMem0Fault: Sendable, Hashable {
    /// What happens to a request the fault fires for.
    public enum Action: Sendable, Hashable {
        /// Answer with this status instead of serving the request. `retryAfter` is sent verbatim as
        /// the `Retry-After` header; `body` replaces the default body for the status; `headers`
        /// are added as given (e.g. `Location` for a redirect).
        case status(
            Int, retryAfter: String? = nil, body: String? = nil, contentType: String = "application/json",
            headers: [String: String] = [:]
        )
        /// Close the connection without answering.
        case resetConnection
        /// Serve the request normally, but only after this extra delay.
        case delay(Duration)
        /// Add only: store the memory, then hold the answer for `delay` (nil: until the server
        /// stops), so a client with a shorter timeout gives up while the memory exists.
        case storeThenTimeout(delay: Duration?)
        /// Add only: store the memory, then close the connection without answering, so the
        /// client learns nothing of an add that did happen (a reset after the server's commit).
        case storeThenReset
    }

    /// What to do.
    public var action: Action
    /// Only requests to this route; nil means every Platform route (for `storeThenTimeout` and `storeThenReset`, add only).
    public var route: FakeMem0Route?
    /// Fire for at most this many more matching requests; nil means no limit.
    public var count: Int?
    /// Probability in 0...1 that a matching request is hit; nil means always.
    public var rate: Double?

    /// Creates a fault.
    /// - Parameters:
    ///   - action: What to do.
    ///   - route: Only this route; nil for all.
    ///   - count: The next `count` matching requests (deterministic mode); nil for no limit.
    ///   - rate: Probability per matching request; nil for always.
    public init(_ action: Action, route: FakeMem0Route? = nil, count: Int? = nil, rate: Double? = nil) {
        self.action = action
        self.route = route
        self.count = count
        self.rate = rate
    }

    /// Whether this fault can apply to a request for `candidate`.
    func matches(_ candidate: FakeMem0Route) -> Bool {
        switch action {
        case .storeThenTimeout, .storeThenReset: if candidate != .add { return false }
        case .status, .resetConnection, .delay: break
        }
        return route == nil || route == candidate
    }
}
