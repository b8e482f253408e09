/// Errors the store reports to its callers. The HTTP layer maps each case to one status code, so
/// every case carries enough context for a message that stands on its own.
public enum BrainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field failed validation; `field` is a JSON path such as `memories[2].slug`.
    case invalid(field: String, reason: String)
    /// No company or profile matches the owner reference.
    case ownerNotFound(brain: BrainKind, owner: String)
    /// The owner exists but has no live memory with that slug.
    case memoryNotFound(brain: BrainKind, owner: String, slug: String)
    /// The database cannot take writes right now (disk full, read-only file).
    case storageUnavailable(reason: String)

    /// A stable, machine-readable code for API clients.
    public var code: String {
        switch self {
        case .invalid: "validation_failed"
        case .ownerNotFound: "owner_not_found"
        case .memoryNotFound: "memory_not_found"
        case .storageUnavailable: "storage_unavailable"
        }
    }

    public var description: String {
        switch self {
        case .invalid(let field, let reason):
            "\(field): \(reason)"
        case .ownerNotFound(let brain, let owner):
            "no \(brain == .company ? "company" : "user") with RUT or id '\(owner)'"
        case .memoryNotFound(let brain, let owner, let slug):
            "\(brain.rawValue) brain of '\(owner)' has no memory '\(slug)'"
        case .storageUnavailable(let reason):
            "storage unavailable: \(reason)"
        }
    }
}
