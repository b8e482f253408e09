import BrainCore
import Dispatch
import Foundation
import GRDB
import Logging
import Synchronization

/// The full-text index of both brains, in a database file of its own beside the store
/// (`<database>-search`) and written by its own thread, so a save's transaction writes no FTS5
/// segment: at 64 connections the index was a third of the one writer thread's time per save.
///
/// The brain tables' triggers append every change to `search_changes` in commit order; the index
/// follows that list in batches and records how far it got (`indexed_through`) in the same
/// transaction, so a crash leaves it consistent. A search calls `catchUp(through:)` with the
/// list's last number first, so it sees every save acknowledged before it began; saves only nudge
/// the index (`noteChanges`) to follow soon, in larger batches.
///
/// The index is derived data and never trusted blindly: it is rebuilt from the brain tables when
/// its file is missing or unreadable, belongs to another store, is behind what was pruned from the
/// list (an older copy), or ahead of what the list ever held (the store was restored from a backup).
final class SearchIndex: Sendable {
    /// Bumped when the index's tables change: an index of another format is rebuilt.
    static let format = 1
    /// Changes applied per index transaction.
    static let batchSize = 2_000

    private struct Waiter {
        var through: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// The index holds every change up to here, and matches the store.
        var indexedThrough: Int64 = 0
        /// False until the index is known to match the store (checked at open, or rebuilt).
        var valid = false
        var runNow = false
        var runLater = false
        var closed = false
        var waiters: [Waiter] = []
        var prunedThrough: Int64 = 0
        var lastPrune = ContinuousClock.now
        var rebuilds = 0
        /// The last attempt to follow failed (logged once until one succeeds).
        var failing = false
    }

    /// The index's connection(s), which also see the store's tables (see `SearchIndexSQL`).
    private let index: any DatabaseWriter
    private let sql: SearchIndexSQL
    /// The store's writer, to prune the list.
    private let brain: any DatabaseWriter
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "braind.search-index")
    private let delay: DispatchTimeInterval
    private let pruneInterval: Duration
    private let logger = Logger(label: "braind.search")

    /// How far the index has followed the list, and how often it was rebuilt since open (tests).
    var progress: (indexedThrough: Int64, rebuilds: Int) { state.withLock { ($0.indexedThrough, $0.rebuilds) } }

    /// When the index follows the store unasked, and prunes the list behind it.
    struct Timing: Sendable {
        /// How long a change may wait before the index follows it unasked; searches never wait
        /// for it. Longer means larger, cheaper batches.
        var delay: DispatchTimeInterval = .milliseconds(50)
        /// How often the followed part of `search_changes` is deleted (one small write on the
        /// store's writer).
        var pruneInterval: Duration = .seconds(2)
    }

    /// Where the index lives.
    enum Location {
        /// A file of its own, beside the store's file.
        case file(index: String, store: String)
        /// Beside an in-memory store, attached to its one connection (tests).
        case memory
    }

    /// Opens the index of the store `brain` and starts following it; an index that does not match
    /// the store is rebuilt in the background (searches wait for it).
    init(_ location: Location, brain: any DatabaseWriter, timing: Timing) throws {
        self.brain = brain
        self.delay = timing.delay
        self.pruneInterval = timing.pruneInterval
        switch location {
        case .file(let index, let store):
            sql = SearchIndexSQL(index: "main", store: "brain")
            self.index = try Self.open(path: index, store: store, sql: sql)
        case .memory:
            sql = SearchIndexSQL(index: "search", store: "main")
            try brain.writeWithoutTransaction { db in try db.execute(sql: "ATTACH DATABASE ':memory:' AS search") }
            try brain.write { [sql] db in try db.execute(sql: sql.createState) }
            self.index = brain
        }
        if try !checkMatch() {
            logger.info("search index will be rebuilt from the brain tables", metadata: ["location": "\(location)"])
        }
        queue.async { self.run() }
    }

    /// Opens the index file with the store attached; a file that is not a database (or is
    /// damaged) is removed and started afresh, since everything in it can be rebuilt.
    private static func open(path: String, store: String, sql: SearchIndexSQL) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "braind.search"
        configuration.prepareDatabase { db in try db.execute(sql: "ATTACH DATABASE ? AS brain", arguments: [store]) }
        func attempt() throws -> DatabasePool {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in try db.execute(sql: sql.createState) }
            return pool
        }
        do {
            return try attempt()
        } catch {
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
            do {
                return try attempt()
            } catch {
                throw BrainError.storageUnavailable(reason: "cannot open the search index \(path): \(error)")
            }
        }
    }

    /// Whether the index matches the store; sets the state accordingly.
    private func checkMatch() throws -> Bool {
        let (store, mark) = try index.read { [sql] db in (try sql.storeMark(db), try sql.indexMark(db)) }
        let matches = mark.map { mark in
            mark.format == Self.format && mark.source == store.source && mark.hasTables
                && mark.indexedThrough >= store.prunedThrough && mark.indexedThrough <= store.lastAssigned
        } ?? false
        state.withLock {
            $0.valid = matches
            $0.indexedThrough = matches ? mark?.indexedThrough ?? 0 : 0
            $0.prunedThrough = store.prunedThrough
        }
        return matches
    }

    /// Returns once the index holds every change up to `through` (the list's last number when the
    /// search began), following the list now if it has not yet.
    func catchUp(through: Int64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enum Next { case ready, closed, wait, start }
            let next = state.withLock { state -> Next in
                if state.closed { return .closed }
                if state.valid && state.indexedThrough >= through { return .ready }
                state.waiters.append(Waiter(through: through, continuation: continuation))
                guard !state.runNow else { return .wait }
                state.runNow = true
                return .start
            }
            switch next {
            case .ready: continuation.resume()
            case .closed: continuation.resume(throwing: BrainError.storageUnavailable(reason: "the store is closed"))
            case .wait: break
            case .start: queue.async { self.run() }
            }
        }
    }

    /// Brain rows changed and committed: follow them within `delay`.
    func noteChanges() {
        let start = state.withLock { state -> Bool in
            guard !state.closed, !state.runNow, !state.runLater else { return false }
            state.runLater = true
            return true
        }
        if start { queue.asyncAfter(deadline: .now() + delay) { self.run() } }
    }

    /// Full-text matches of one owner's memories, best first: brain rowids and bm25 ranks.
    func match(_ brain: BrainKind, ownerToken: String, words: [String], limit: Int) async throws -> [(rowid: Int64, rank: Double)] {
        // Words are quoted: user text never becomes FTS syntax. The owner token narrows the match
        // inside the index, so cost follows the owner's memories, not the whole table. Whole words
        // only: a prefix query makes FTS5 merge every matching term's full list across all owners
        // before the owner filter applies (37 ms p99 over 1M memories).
        let query = "owner : \"\(ownerToken)\" AND " + words.map { "\"\($0)\"" }.joined(separator: " AND ")
        do {
            return try await index.read { [sql] db in try sql.match(db, brain, query: query, limit: limit) }
        } catch {
            throw BrainDatabase.storageError(error)
        }
    }

    /// Stops following the store: waiting searches fail, a batch in progress finishes.
    func close() {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: BrainError.storageUnavailable(reason: "the store is closed")) }
        // In memory the index shares the store's connection, which the store closes.
        guard let pool = index as? DatabasePool else {
            queue.sync {}
            return
        }
        // A rebuild of a large store may take a minute: stop it rather than hold shutdown. Its
        // transaction rolls back, and the next start finds the index as unmatched as before.
        pool.interrupt()
        queue.sync {}
        try? pool.close()
    }

    // MARK: - Following the list (on `queue` only)

    private func run() {
        let go = state.withLock { state -> Bool in
            state.runNow = false
            state.runLater = false
            return !state.closed
        }
        guard go else { return }
        do {
            if !state.withLock({ $0.valid }) { try rebuild() }
            // Follows until a batch comes up short with no search waiting: under steady saves the
            // next batch is then left to `noteChanges`, to gather for `delay` and be larger.
            while let applied = try followBatch() {
                try pruneIfDue()
                let waiting = state.withLock { !$0.waiters.isEmpty }
                guard applied >= Self.batchSize || waiting else { break }
            }
            try pruneIfDue()
            let recovered = state.withLock { state -> Bool in
                defer { state.failing = false }
                return state.failing
            }
            if recovered { logger.info("search index follows the store again") }
        } catch {
            let failure = BrainDatabase.storageError(error)
            let (waiters, first) = state.withLock { state -> ([Waiter], Bool) in
                defer {
                    state.waiters = []
                    state.failing = true
                }
                return (state.waiters, !state.failing)
            }
            // Logged once per failing stretch: every later save would retry, and log again.
            if first && !state.withLock({ $0.closed }) { logger.error("search index cannot follow the store; searches fail until it can", metadata: ["error": "\(failure)"]) }
            for waiter in waiters { waiter.continuation.resume(throwing: failure) }
        }
    }

    /// Writes to the index only. DEFERRED, not GRDB's IMMEDIATE: BEGIN IMMEDIATE takes the write
    /// lock of every attached database, so it would hold the store's saves for the whole batch
    /// (190 ms stalls at 64 connections). The index file has no other writer to race the upgrade.
    private func writeIndex<T>(_ body: (Database) throws -> T) throws -> T {
        try index.writeWithoutTransaction { db in
            var value: T?
            try db.inTransaction(.deferred) {
                value = try body(db)
                return .commit
            }
            return value!
        }
    }

    /// Applies the next batch of listed changes; how many it applied, nil when there were none.
    private func followBatch() throws -> Int? {
        let from = state.withLock { $0.indexedThrough }
        guard let through = try writeIndex({ db in try sql.follow(db, after: from, limit: Self.batchSize) }) else { return nil }
        advance(to: through)
        return Int(through - from)
    }

    /// Rebuilds the index from the brain tables in one transaction, on one snapshot of the store
    /// (the mark it writes says exactly which changes the tables hold).
    private func rebuild() throws {
        let start = ContinuousClock.now
        let through = try writeIndex { db -> Int64 in
            let store = try sql.storeMark(db)
            try db.execute(sql: sql.rebuild)
            try sql.writeMark(db, format: Self.format, source: store.source, through: store.lastAssigned)
            return store.lastAssigned
        }
        state.withLock {
            $0.valid = true
            $0.rebuilds += 1
        }
        advance(to: through)
        logger.info("search index rebuilt", metadata: ["seconds": "\((ContinuousClock.now - start).seconds)"])
    }

    /// Records progress and releases the searches it satisfies.
    private func advance(to through: Int64) {
        let ready = state.withLock { state -> [Waiter] in
            state.indexedThrough = max(state.indexedThrough, through)
            let ready = state.waiters.filter { $0.through <= state.indexedThrough }
            state.waiters.removeAll { $0.through <= state.indexedThrough }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Deletes the followed part of the list, at most once per `pruneInterval`, and records how
    /// far (an index found behind that mark later is an older copy, and is rebuilt).
    private func pruneIfDue() throws {
        let (due, through) = state.withLock { state in
            (state.indexedThrough > state.prunedThrough && ContinuousClock.now - state.lastPrune >= pruneInterval, state.indexedThrough)
        }
        guard due else { return }
        try brain.write { db in try SearchIndexSQL.prune(db, through: through) }
        state.withLock {
            $0.prunedThrough = through
            $0.lastPrune = .now
        }
    }
}
