import BrainCore
import Synchronization

/// Takes push outcomes off the dispatch path. Outcomes queue up while one transaction commits and
/// the next transaction takes them all, so a slot whose call ended starts its next call at once
/// instead of waiting for an fsync, and one commit covers as many rows as finished meanwhile.
final class PushOutcomeRecorder: Sendable {
    typealias Outcome = (task: PushTask, outcome: PushOutcome)

    private struct State {
        var queue: [Outcome] = []
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Queues one outcome for the next transaction.
    func record(_ task: PushTask, _ outcome: PushOutcome) {
        update { $0.queue.append((task, outcome)) }
    }

    /// No more outcomes will come: ``run(_:)`` returns once the queue is written.
    func finish() {
        update { $0.finished = true }
    }

    /// Hands every queued outcome to `write`, a batch at a time, until ``finish()`` and an empty queue.
    func run(_ write: ([Outcome]) async -> Void) async {
        while let batch = await nextBatch() {
            await write(batch)
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            change(&state)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything queued, waiting if nothing is; nil when finished and drained.
    private func nextBatch() async -> [Outcome]? {
        while true {
            let (batch, finished) = state.withLock { state -> ([Outcome], Bool) in
                let batch = state.queue
                state.queue = []
                return (batch, state.finished)
            }
            if !batch.isEmpty { return batch }
            if finished { return nil }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    guard state.queue.isEmpty, !state.finished else { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }
}
