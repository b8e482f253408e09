import Logging
import Synchronization

/// Whether writes currently succeed. A full disk or a read-only file makes every write fail
/// alike; logging each failure would flood the log, and status would not say it. So the first
/// failure of an episode is logged, status shows it while it lasts, and the first write that
/// succeeds again ends it with one more line.
public final class StorageHealth: Sendable {
    private let problem = Mutex<String?>(nil)
    private let logger = Logger(label: "braind.storage")

    public init() {}

    /// Why writes fail now; nil while they succeed.
    public var current: String? { problem.withLock { $0 } }

    /// - Parameter logged: the cause was logged already (a lost database file logs itself).
    public func observe(_ error: any Error, logged: Bool = false) {
        guard case BrainError.storageUnavailable(let reason) = error else { return }
        let first = problem.withLock { problem -> Bool in
            defer { problem = reason }
            return problem == nil
        }
        if first, !logged {
            logger.error("writes fail; they answer 503 storage_unavailable until this clears", metadata: ["braind.storage.reason": "\(reason)"])
        }
    }

    public func succeeded() {
        guard problem.withLock({ $0 != nil }) else { return }
        let cleared = problem.withLock { problem -> Bool in
            defer { problem = nil }
            return problem != nil
        }
        if cleared { logger.notice("writes succeed again") }
    }
}
