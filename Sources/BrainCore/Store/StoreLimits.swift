/// Page and result sizes every store accepts, so that a request means the same on both stores.
public enum StoreLimits {
    /// Memories per page when the caller names no limit.
    public static let defaultPageSize = 100
    /// The largest page a list or failed-memories read returns.
    public static let maxPageSize = 1_000
    /// The most hits one local search returns.
    public static let maxSearchLimit = 100

    /// Refuses a page size outside 1...`maxPageSize` with the field named.
    public static func checkPageSize(_ limit: Int) throws(BrainError) {
        guard (1...maxPageSize).contains(limit) else {
            throw BrainError.invalid(field: "limit", reason: "must be between 1 and \(maxPageSize)")
        }
    }

    /// Refuses a page request a list cannot serve: a size outside 1...`maxPageSize`, or a cursor
    /// that is not a slug (a cursor is the last slug of the previous page).
    public static func checkPage(limit: Int, cursor: String?) throws(BrainError) {
        try checkPageSize(limit)
        if let cursor { _ = try MemoryInput.validSlug(cursor, field: "cursor") }
    }

    /// Refuses a search limit outside 1...`maxSearchLimit` with the field named.
    public static func checkSearchLimit(_ limit: Int) throws(BrainError) {
        guard (1...maxSearchLimit).contains(limit) else {
            throw BrainError.invalid(field: "limit", reason: "must be between 1 and \(maxSearchLimit)")
        }
    }
}
