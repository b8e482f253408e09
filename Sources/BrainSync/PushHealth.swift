import BrainCore
import Synchronization

/// What status reports about Mem0, written by every caller that pushes rows (the push worker and
/// the reconciler's repairs), so a repair that succeeds clears an error a push left behind.
public final class PushHealth: Sendable {
    struct State {
        var state = "starting"
        var lastPushAt: String?
        var lastError: String?
        /// The Mem0 configured now, once known (a ping tells the Platform's project).
        var target: Mem0Target?
        /// Set when the recorded target differs from the configured one: pushing waits for `brain retarget`.
        var recordedTarget: Mem0Target?
        /// The configured target was compared with the recorded one.
        var targetVerified = false
    }

    private let state = Mutex(State())

    public init() {}

    func withLock<R>(_ body: (inout State) -> R) -> R {
        state.withLock { body(&$0) }
    }
}
