/// The purge-or-tombstone rule of a delete, written once for every store.
public enum DeleteRule {
    public enum Decision: Sendable, Equatable {
        /// Mem0 never had the row and no add of it can be under way: remove it at once.
        case purge
        /// Mem0 has (or may have) the row: keep a tombstone, a new version the push worker turns
        /// into a remote delete before purging it.
        case tombstone
    }

    /// - Parameters:
    ///   - memoryID: the row's Mem0 id, nil before its first push.
    ///   - addStarted: the "add started" mark is set: an add's outcome is unknown, so Mem0 may
    ///     hold the row all the same.
    public static func decide(memoryID: String?, addStarted: Bool) -> Decision {
        memoryID == nil && !addStarted ? .purge : .tombstone
    }
}
