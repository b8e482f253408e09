import BrainCore

/// How the reconciler runs.
public struct ReconcileSettings: Sendable, Equatable {
    /// Time between scheduled runs (`reconcile.interval_seconds`); nil turns scheduled runs off.
    public var interval: Duration? = .seconds(600)
    /// Entities listed at once (`reconcile.concurrency`).
    public var concurrency: Int = 8
    /// Repairs where more than one makes sense.
    public var policy = ReconcilePolicy()

    public init() {}
}
