import BrainCore
import Dispatch
import GRDB
import Synchronization

/// Group commit for saves: concurrent saves share one write transaction, so one fsync makes many
/// of them durable. Each save is answered only after the commit that holds it, and each keeps its
/// own result: a save that fails (an unknown owner id) rolls back alone (see `write(_:writer:)`).
///
/// There is no timer: while one transaction commits, the saves that arrive queue up, and the next
/// transaction takes the oldest of them plus as many others as fit (see `batchIndices`).
///
/// Who writes: one dedicated serial queue (`drainer`), started by the save that finds it idle and
/// draining until no save waits; the saves' tasks only wait. An earlier design handed the writing
/// to the oldest waiting save's task instead; that task then waited in the cooperative pool's
/// queue behind every request being parsed, and the writer sat idle: at 64 connections a
/// transaction took 16 ms for 38 saves while braind used 0.85 of 2 cores. Writing inline on the
/// first save's own thread (no hop for a lone save) was tried and dropped: it blocked a
/// cooperative thread, so on a busy pool concurrent saves could not even queue (64 saves in 64
/// transactions in GroupCommitTests).
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
        var continuation: CheckedContinuation<Result<[SaveItemResult], any Error>, Never>
    }

    private struct State {
        var queue: [Job] = []
        /// The drainer is writing, or about to: new saves only queue.
        var leading = false
    }

    private let state = Mutex(State())
    /// Writes the batches that queued while another was written (see the type's comment).
    private let drainer = DispatchQueue(label: "braind.group-commit")
    private let maxJobs: Int
    private let riderItems: Int
    private let counters = Mutex((transactions: 0, saves: 0))
    /// Runs before each transaction; a throw fails the whole batch (the database file is gone).
    private let beforeEachTransaction: @Sendable () throws(BrainError) -> Void

    /// Transactions written and saves they held, since start (for metrics and tests).
    var stats: (transactions: Int, saves: Int) { counters.withLock { $0 } }
    /// Saves waiting for a transaction now (for tests).
    var waiting: Int { state.withLock { $0.queue.count } }

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
        let result = await withCheckedContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.queue.append(Job(items: items, work: work, continuation: continuation))
                guard !state.leading else { return false }
                state.leading = true
                return true
            }
            if start { drainer.async { self.drain(writer: writer) } }
        }
        return try result.get()
    }

    /// Writes batches until no save waits; runs on `drainer`, never on the cooperative pool.
    private func drain(writer: any DatabaseWriter) {
        while true {
            writeOneBatch(writer: writer)
            let more = state.withLock { state -> Bool in
                if state.queue.isEmpty { state.leading = false }
                return state.leading
            }
            guard more else { return }
        }
    }

    /// Takes the next batch, writes it in one transaction and resumes its waiting saves.
    private func writeOneBatch(writer: any DatabaseWriter) {
        let batch = state.withLock { state -> [Job] in
            let indices = Self.batchIndices(items: state.queue.map(\.items), maxJobs: maxJobs, riderItems: riderItems)
            let taken = indices.map { state.queue[$0] }
            for index in indices.reversed() { state.queue.remove(at: index) }
            return taken
        }
        let results = write(batch, writer: writer)
        counters.withLock {
            $0.transactions += 1
            $0.saves += batch.count
        }
        for (job, result) in zip(batch, results) { job.continuation.resume(returning: result) }
    }

    /// Writes one batch in one transaction, on the calling thread, and returns each job's outcome.
    ///
    /// Synchronous: GRDB's `write` (sync) runs on the drainer's thread when the writer is free,
    /// with no second hop to GRDB's own queue; it waits only while another write (the push
    /// worker's) holds the writer.
    ///
    /// Optimistic: the jobs run without savepoints, since they almost never fail (items are
    /// validated before they queue). A savepoint per job cost a SAVEPOINT and a RELEASE statement
    /// and a copy of every page the job touched. If a job does fail, the whole transaction rolls
    /// back and the batch is written again with a savepoint per job, so it fails alone.
    private func write(_ batch: [Job], writer: any DatabaseWriter) -> [Result<[SaveItemResult], any Error>] {
        do {
            try beforeEachTransaction()
        } catch {
            return Array(repeating: .failure(error), count: batch.count)
        }
        do {
            return try Self.transaction(writer) { db in try batch.map { .success(try $0.work(db)) } }
        } catch where batch.count == 1 {
            return [.failure(BrainDatabase.storageError(error))]
        } catch {
            // Which job failed is not known: find out, each in its own savepoint.
        }
        do {
            return try Self.transaction(writer) { db in
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
            return Array(repeating: .failure(BrainDatabase.storageError(error)), count: batch.count)
        }
    }

    /// `writer.write` with its BEGIN and COMMIT from the statement cache: GRDB's `inTransaction`
    /// prepares both anew for every transaction (SQLite's parser and GRDB's authorizer each time:
    /// 40–50 us of a one-save transaction's 250–280 us of CPU, clocks around it in a test build).
    private static func transaction<T>(_ writer: any DatabaseWriter, _ body: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in
            try DirectStatement(db, sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let value = try body(db)
                try DirectStatement(db, sql: "COMMIT TRANSACTION").execute()
                return value
            } catch {
                // A failed COMMIT (SQLITE_BUSY) leaves the transaction open; some errors end it.
                if db.isInsideTransaction { try? db.rollback() }
                throw error
            }
        }
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
