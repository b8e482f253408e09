import Foundation

/// A part of a load job: owners one daemon loads under a lease.
public struct LoadChunk: Sendable, Equatable {
    public var jobID: String
    public var index: Int
    public var brain: BrainKind
    /// Owner ids, in RUT order.
    public var ownerIDs: [String]

    public init(jobID: String, index: Int, brain: BrainKind, ownerIDs: [String]) {
        self.jobID = jobID
        self.index = index
        self.brain = brain
        self.ownerIDs = ownerIDs
    }
}

/// How far a load job has come, as the daemon that started it reports it.
public struct LoadJobProgress: Sendable, Equatable {
    /// Owners in the job, and owners in its finished chunks.
    public var total: Int
    public var done: Int
    /// The sum of the finished chunks' counts; complete once `finished`.
    public var summary: LoadAllSummary
    public var finished: Bool

    public init(total: Int, done: Int, summary: LoadAllSummary, finished: Bool) {
        self.total = total
        self.done = done
        self.summary = summary
        self.finished = finished
    }
}

/// A store on which several daemons share a load of every owner: the job is split in chunks
/// that any daemon claims under a lease, like the push queue (PostgreSQL). A store without it
/// (SQLite, one daemon) loads in the daemon asked.
public protocol LoadJobStore: Sendable {
    /// Starts a load of every owner of `brain` in chunks of `chunkSize` owners and tells the
    /// other daemons; when one is already running for that brain, nothing is started.
    /// - Returns: the id of the job started, or of the one running.
    func startLoadJob(_ brain: BrainKind, chunkSize: Int) async throws -> String
    /// Claims the oldest job's next chunk nobody holds (or whose lease ran out); nil when none.
    func claimLoadChunk() async throws -> LoadChunk?
    /// Records a chunk as done with its counts, unless its lease passed to another daemon (then
    /// that daemon's counts stand). Finishes the job with its last chunk.
    func finishLoadChunk(_ chunk: LoadChunk, summary: LoadAllSummary) async throws
    /// Gives a chunk back unfinished (this daemon stops), for any daemon to claim at once.
    func releaseLoadChunk(_ chunk: LoadChunk) async throws
    func loadJobProgress(id: String) async throws -> LoadJobProgress
}
