import GRDB
import Synchronization

/// Group commit for saves: concurrent saves share one write transaction, so one fsync makes many
/// of them durable. Each save is answered only after the commit that holds it, and each keeps its
/// own result: it runs in a savepoint, so a save that fails (an unknown owner id) rolls back alone.
///
/// There is no timer: while one transaction commits, the saves that arrive queue up, and the next
/// transaction takes them all (up to `maxJobs`). The first save to find no writer becomes the
/// leader and writes batches; when its own save is done it hands leadership to the oldest waiting
/// save, so no request keeps writing for others indefinitely.
final class GroupCommit: Sendable {
    /// One save waiting for a transaction.
    struct Job: Sendable {
        var work: @Sendable (Database) throws -> [SaveItemResult]
        var continuation: CheckedContinuation<Signal, Never>
    }

    enum Signal: Sendable {
        case done(Result<[SaveItemResult], any Error>)
        case lead
    }

    private struct State {
        var queue: [Job] = []
        var leading = false
    }

    private let state = Mutex(State())
    private let maxJobs: Int
    private let counters = Mutex((transactions: 0, saves: 0))
    /// Runs before each transaction; a throw fails the whole batch (the database file is gone).
    private let beforeEachTransaction: @Sendable () throws(BrainError) -> Void

    /// Transactions written and saves they held, since start (for metrics and tests).
    var stats: (transactions: Int, saves: Int) { counters.withLock { $0 } }

    init(maxJobs: Int = 256, beforeEachTransaction: @escaping @Sendable () throws(BrainError) -> Void = {}) {
        self.maxJobs = maxJobs
        self.beforeEachTransaction = beforeEachTransaction
    }

    /// Runs `work` in a shared transaction and returns its result once that transaction commits.
    func submit(
        writer: any DatabaseWriter, _ work: @escaping @Sendable (Database) throws -> [SaveItemResult]
    ) async throws -> [SaveItemResult] {
        var signal = await withCheckedContinuation { continuation in
            let lead = state.withLock { state -> Bool in
                state.queue.append(Job(work: work, continuation: continuation))
                guard !state.leading else { return false }
                state.leading = true
                return true
            }
            if lead { continuation.resume(returning: .lead) }
        }
        while case .lead = signal {
            signal = await leadOneBatch(writer: writer)
        }
        guard case .done(let result) = signal else { fatalError("unreachable") }
        return try result.get()
    }

    /// Writes one batch as leader; returns this leader's own outcome if it was in the batch, or
    /// `.lead` to go on writing.
    private func leadOneBatch(writer: any DatabaseWriter) async -> Signal {
        let batch = state.withLock { state -> [Job] in
            let taken = Array(state.queue.prefix(maxJobs))
            state.queue.removeFirst(taken.count)
            return taken
        }
        var results: [Result<[SaveItemResult], any Error>] = []
        do {
            try beforeEachTransaction()
            results = try await writer.write { db in
                batch.map { job in
                    Result {
                        var output: [SaveItemResult] = []
                        do {
                            try db.inSavepoint {
                                output = try job.work(db)
                                return .commit
                            }
                        } catch {
                            throw BrainDatabase.storageError(error)
                        }
                        return output
                    }
                }
            }
        } catch {
            results = Array(repeating: .failure(BrainDatabase.storageError(error)), count: batch.count)
        }
        counters.withLock {
            $0.transactions += 1
            $0.saves += batch.count
        }
        // The leader's own job is the first of its batch: a save only leads when the queue is empty
        // (it queued first) or when handed the lead as the oldest waiting save.
        for (job, result) in zip(batch, results).dropFirst() { job.continuation.resume(returning: .done(result)) }
        let next = state.withLock { state -> Job? in
            if state.queue.isEmpty { state.leading = false }
            return state.queue.first
        }
        // Hand over: the oldest waiting save writes the next batch, its own job first.
        next?.continuation.resume(returning: .lead)
        return .done(results.first ?? .success([]))
    }
}
