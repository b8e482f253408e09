import Synchronization

/// What status reports about Mem0, written by every caller that pushes rows (the push worker and
/// the reconciler's repairs), so a repair that succeeds clears an error a push left behind.
public final class PushHealth: Sendable {
    struct State {
        var state = "starting"
        var lastPushAt: String?
        var lastError: String?
    }

    private let state = Mutex(State())

    public init() {}

    func withLock<R>(_ body: (inout State) -> R) -> R {
        state.withLock { body(&$0) }
    }
}
