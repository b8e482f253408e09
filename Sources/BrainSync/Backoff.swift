import Synchronization

/// Capped exponential backoff with jitter: `base × 2^attempt`, at most `cap`, then scaled by a
/// random factor in 0.5...1 so that many rows failing together do not retry in lockstep.
public struct BackoffPolicy: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before attempt number `attempt + 1`, never below a server's `Retry-After` but
    /// never above the cap either: one `Retry-After: 86400` must not stop syncing for a day.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let exponent = min(max(attempt, 0), 30)
        let raw = min(base.seconds * Double(1 << exponent), cap.seconds)
        let jittered = Duration.seconds(raw * Double.random(in: 0.5...1))
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, cap))
    }
}

/// One gate in front of every Mem0 call, shared by the push worker and the reconciler: a 429 or
/// an unreachable Mem0 slows everything that talks to it, not just the row that saw the error.
public final class Mem0Gate: Sendable {
    private struct State {
        var notBefore: ContinuousClock.Instant
        var consecutiveFailures = 0
    }

    private let policy: BackoffPolicy
    private let state: Mutex<State>
    /// Told of every pause this gate starts by itself, so that daemons sharing a database can
    /// pause together (one Mem0 budget).
    private let pauseObserver = Mutex<(@Sendable (Duration) -> Void)?>(nil)

    public init(policy: BackoffPolicy = BackoffPolicy()) {
        self.policy = policy
        self.state = Mutex(State(notBefore: .now))
    }

    /// Waits until calls may go out again.
    public func wait() async throws {
        let notBefore = state.withLock { $0.notBefore }
        if notBefore > .now { try await Task.sleep(until: notBefore, clock: .continuous) }
    }

    /// How long callers would wait now.
    public var remainingPause: Duration {
        let notBefore = state.withLock { $0.notBefore }
        return max(.zero, notBefore - .now)
    }

    /// A call failed in a way that may concern Mem0 as a whole. A rate limit (429) or a
    /// `Retry-After` pauses everyone at once; other failures pause everyone only after
    /// `failuresBeforePause` in a row, so that scattered errors (a 500 here, a reset there) slow
    /// just their rows while a Mem0 that is down is left alone.
    public func recordFailure(retryAfter: Duration?, rateLimited: Bool = false) {
        let paused = state.withLock { state -> Duration? in
            state.consecutiveFailures += 1
            guard rateLimited || retryAfter != nil || state.consecutiveFailures >= Self.failuresBeforePause else { return nil }
            let delay = policy.delay(afterAttempt: state.consecutiveFailures - 1, retryAfter: retryAfter)
            state.notBefore = max(state.notBefore, .now + delay)
            return delay
        }
        if let paused, let observer = pauseObserver.withLock({ $0 }) { observer(paused) }
    }

    /// Calls `observer` with the length of every pause this gate starts by itself (not those
    /// `pause(for:)` applies), so the pause can be passed on to other daemons.
    public func onPause(_ observer: @escaping @Sendable (Duration) -> Void) {
        pauseObserver.withLock { $0 = observer }
    }

    /// Pauses every call for `delay` (at most the backoff cap) because another daemon sharing
    /// the database was told to slow down.
    public func pause(for delay: Duration) {
        let capped = min(max(delay, .zero), policy.cap)
        state.withLock { $0.notBefore = max($0.notBefore, .now + capped) }
    }

    /// Records a failed Mem0 call if it concerns Mem0 as a whole: retryable failures count, and a
    /// 429 pauses everyone (the one rule the push worker and the reconciler share).
    public func recordFailure(of error: any Error) {
        guard let error = error as? Mem0Error, case .retryable(let retryAfter) = error.failureClass else { return }
        recordFailure(retryAfter: retryAfter, rateLimited: error.status == 429)
    }

    /// Failures in a row, without a success between them, after which every caller waits.
    public static let failuresBeforePause = 3

    /// A call went through: the next failure starts the backoff afresh.
    public func recordSuccess() {
        state.withLock { $0.consecutiveFailures = 0 }
    }
}
