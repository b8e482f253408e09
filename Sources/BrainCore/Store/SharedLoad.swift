import Synchronization

/// A load of every owner shared by the daemons on one database (`LoadJobStore`): the daemon
/// asked starts the job and follows it, and every daemon, that one included, loads its chunks.
///
/// One per daemon: a daemon loads one chunk at a time, whether its load worker (woken by
/// another daemon's job) or a request got there first, so the job is spread over the daemons
/// rather than piled on the one asked.
public final class SharedLoad: Sendable {
    /// Owners per chunk: small enough that a chunk is a fraction of a second and the job spreads
    /// evenly, large enough that claims are few (40 for the 1,000 companies of the proof).
    public static let chunkSize = 25

    private let store: any LoadJobStore & LoaderStore
    private let onChunk: @Sendable () -> Void
    private let draining = Mutex(false)

    /// - Parameter onChunk: after each chunk this daemon loads (wakes the push worker).
    public init(store: any LoadJobStore & LoaderStore, onChunk: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.onChunk = onChunk
    }

    /// Loads claimable chunks of any job until none is left, unless this daemon is already doing so.
    /// A chunk cut short (stop, storage lost) is given back for another daemon.
    /// - Parameter afterChunk: after each chunk loaded here (the request path reports progress).
    /// - Returns: the chunks loaded here.
    @discardableResult
    public func drain(stop: StopSignal?, afterChunk: () async throws -> Void = {}) async throws -> Int {
        guard draining.withLock({ busy in
            defer { busy = true }
            return !busy
        }) else { return 0 }
        defer { draining.withLock { $0 = false } }
        var chunks = 0
        while stop?.isRequested != true, let chunk = try await store.claimLoadChunk() {
            let summary: LoadAllSummary
            do {
                summary = try await OwnerLoader(store: store).loadOwners(chunk.brain, ids: chunk.ownerIDs, stop: stop)
            } catch {
                try? await store.releaseLoadChunk(chunk)
                throw error
            }
            try await store.finishLoadChunk(chunk, summary: summary)
            onChunk()
            chunks += 1
            try await afterChunk()
        }
        return chunks
    }

    /// Starts a load of every owner of `brain` (or joins the one running) and follows it to the
    /// end, loading chunks here too.
    /// - Parameters:
    ///   - progress: owners in finished chunks, of the job's total, as it changes.
    ///   - stop: once requested, stops following (the job goes on in the other daemons).
    ///   - poll: how often the job's progress is read while other daemons hold its last chunks.
    /// - Throws: `BulkWorkStopped`, `BrainError.storageUnavailable`.
    public func run(_ brain: BrainKind, progress: LoadProgress?, stop: StopSignal?, poll: Duration = .milliseconds(200)) async throws -> LoadAllSummary {
        let id = try await store.startLoadJob(brain, chunkSize: Self.chunkSize)
        var reported = -1
        func report() async throws -> LoadJobProgress {
            let state = try await store.loadJobProgress(id: id)
            if state.done != reported {
                progress?(state.done, state.total)
                reported = state.done
            }
            return state
        }
        while true {
            // A chunk cut short by a stop is not this request's failure: the job goes on.
            do {
                try await drain(stop: stop) { _ = try await report() }
            } catch is BulkWorkStopped {}
            let state = try await report()
            if state.finished { return state.summary }
            if stop?.isRequested == true {
                throw BulkWorkStopped(
                    work: "load of every \(brain.rawValue)", done: state.done, total: state.total,
                    advice: "the other daemons on the database finish it, and the same command run again follows it")
            }
            try await Task.sleep(for: poll)
        }
    }
}
