import BrainCore
import GRDB
import Synchronization

/// Group commit for saves: concurrent saves share one write transaction, so one fsync makes many
/// of them durable. Each save is answered only after the commit that holds it, and each keeps its
/// own result: it runs in a savepoint, so a save that fails (an unknown owner id) rolls back alone.
///
/// There is no timer: while one transaction commits, the saves that arrive queue up, and the next
/// transaction takes the oldest of them plus as many others as fit (see `batchIndices`). The first
/// save to find no writer becomes the leader and writes batches; when its own save is done it
/// hands leadership to the oldest waiting save, so no request keeps writing for others
/// indefinitely.
///
/// Transactions are bounded by items, not only by saves: sixteen concurrent 1,000-item batches in
/// one transaction held a one-row save behind all 16,000 rows (1.2 s at the median). Now a large
/// batch rides alone with the small saves that fit beside it, so a small save waits for about one
/// large batch, never for all of them.
final class GroupCommit: Sendable {
    /// One save waiting for a transaction.
    struct Job: Sendable {
        /// Rows the job writes, for the transaction's item budget.
        var items: Int
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
    private let riderItems: Int
    private let counters = Mutex((transactions: 0, saves: 0))
    /// Runs before each transaction; a throw fails the whole batch (the database file is gone).
    private let beforeEachTransaction: @Sendable () throws(BrainError) -> Void

    /// Transactions written and saves they held, since start (for metrics and tests).
    var stats: (transactions: Int, saves: Int) { counters.withLock { $0 } }

    /// - Parameters:
    ///   - maxJobs: most saves in one transaction.
    ///   - riderItems: most rows the saves after the oldest may add to a transaction. 256 keeps a
    ///     transaction's extra work to a few milliseconds while one-row saves still share commits
    ///     by the hundred.
    ///   - beforeEachTransaction: a check that may refuse the transaction (the database file is gone).
    init(
        maxJobs: Int = 256, riderItems: Int = 256,
        beforeEachTransaction: @escaping @Sendable () throws(BrainError) -> Void = {}
    ) {
        self.maxJobs = maxJobs
        self.riderItems = riderItems
        self.beforeEachTransaction = beforeEachTransaction
    }

    /// Runs `work` in a shared transaction and returns its result once that transaction commits.
    /// - Parameter items: how many rows `work` writes.
    func submit(
        writer: any DatabaseWriter, items: Int, _ work: @escaping @Sendable (Database) throws -> [SaveItemResult]
    ) async throws -> [SaveItemResult] {
        var signal = await withCheckedContinuation { continuation in
            let lead = state.withLock { state -> Bool in
                state.queue.append(Job(items: items, work: work, continuation: continuation))
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
            let indices = Self.batchIndices(items: state.queue.map(\.items), maxJobs: maxJobs, riderItems: riderItems)
            let taken = indices.map { state.queue[$0] }
            for index in indices.reversed() { state.queue.remove(at: index) }
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

    /// Which queued jobs (by index, in queue order) the next transaction takes: always the oldest,
    /// so every job is written in turn, then each later job whose rows still fit in `riderItems`.
    /// Small saves thus pass large ones that do not fit, and a large one never rides behind another.
    static func batchIndices(items: [Int], maxJobs: Int, riderItems: Int) -> [Int] {
        guard !items.isEmpty else { return [] }
        var taken = [0]
        var budget = riderItems
        for index in items.indices.dropFirst() where taken.count < maxJobs && items[index] <= budget {
            taken.append(index)
            budget -= items[index]
        }
        return taken
    }
}
