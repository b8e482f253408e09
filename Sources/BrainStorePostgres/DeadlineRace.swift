import Synchronization

/// One continuation resumed by whichever comes first: the work, the timer or the caller's
/// cancellation. The loser is cancelled; the work's late result goes to nobody (`finish` says so).
final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        /// A result that arrived before `start` (a cancellation racing the set-up).
        var early: Result<T, any Error>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            state.work = work
            state.timer = timer
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    /// Delivers `result` if nothing was delivered yet; false when another result came first.
    @discardableResult
    func finish(with result: Result<T, any Error>) -> Bool {
        let (continuation, work, timer) = state.withLock { state in
            defer {
                state.continuation = nil
                if state.early == nil { state.early = result }
            }
            return (state.continuation, state.work, state.timer)
        }
        guard let continuation else { return false }
        work?.cancel()
        timer?.cancel()
        continuation.resume(with: result)
        return true
    }
}
