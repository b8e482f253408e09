import Synchronization

/// A request to stop long bulk work (a load of every owner, a large import) at the end of its
/// current slice: the daemon sets it when it begins to shut down, so a stop does not wait for
/// the whole job. Work done before the stop is committed and kept; rerunning the job finishes it.
public final class StopSignal: Sendable {
    private let requested = Atomic(false)

    public init() {}

    /// Asks the work to stop after its current slice.
    public func request() {
        requested.store(true, ordering: .releasing)
    }

    public var isRequested: Bool { requested.load(ordering: .acquiring) }
}

/// Bulk work that stopped early because braind is shutting down. What was done before it is kept.
public struct BulkWorkStopped: Error, Sendable, Equatable, CustomStringConvertible {
    /// What stopped, for the message: `load of every company`, `import of users`.
    public var work: String
    /// Units finished and committed, and the total: owners for a load, rows for an import.
    public var done: Int
    public var total: Int
    /// What to do about it.
    public var advice: String

    public var description: String {
        "braind is stopping: the \(work) stopped after \(done) of \(total); \(advice)"
    }

    public init(work: String, done: Int, total: Int, advice: String) {
        self.work = work
        self.done = done
        self.total = total
        self.advice = advice
    }
}
