import Synchronization

/// The handlers' waits (latency, delays, `storeThenTimeout` hangs), which ``FakeMem0Server/stop()``
/// cuts short.
///
/// The server stops gracefully: it closes the listener and lets every connection finish its
/// request. Cancelling the serving task instead can drop a connection that was accepted but not
/// yet handed to the serving loop, and NIO traps on that ("Deinited NIOAsyncWriter without calling
/// finish()", apple/swift-nio#2637); a test process died of it in CI. A graceful stop needs the
/// handlers to end, so each wait is a task that `cancelAll()` can reach.
final class FakeMem0Sleeps: Sendable {
    private struct State {
        var stopped = false
        var next = 0
        var sleeping: [Int: Task<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    /// Sleeps until `deadline`; throws `CancellationError` when the caller is cancelled or the
    /// server stops.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        // No tolerance: the default timer leeway overshoots by about a millisecond, which at
        // 20 ms would read as a 5 % loss in the push benchmark that is not the client's.
        let sleep = Task { try await Task.sleep(until: deadline, tolerance: .zero, clock: .continuous) }
        let id: Int? = state.withLock { state in
            guard !state.stopped else { return nil }
            defer { state.next += 1 }
            state.sleeping[state.next] = sleep
            return state.next
        }
        guard let id else {
            sleep.cancel()
            throw CancellationError()
        }
        defer { _ = state.withLock { $0.sleeping.removeValue(forKey: id) } }
        try await withTaskCancellationHandler {
            try await sleep.value
        } onCancel: {
            sleep.cancel()
        }
    }

    /// Sleeps for `duration`, as ``sleep(until:)``.
    func sleep(for duration: Duration) async throws {
        try await sleep(until: .now + duration)
    }

    /// Ends every wait now and every later one at once.
    func cancelAll() {
        let sleeping = state.withLock { state in
            state.stopped = true
            defer { state.sleeping = [:] }
            return Array(state.sleeping.values)
        }
        for sleep in sleeping { sleep.cancel() }
    }
}
