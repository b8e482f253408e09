/// Which brain a memory lives in. A sole proprietor's company shares its owner's RUT, so the same
/// Mem0 entity can hold both kinds; `brain` in the Mem0 metadata keeps them apart.
public enum BrainKind: String, Sendable, Codable, CaseIterable {
    case company
    case user

    /// The brain table, named as in the seed.
    public var table: String {
        switch self {
        case .company: "company_brain"
        case .user: "user_brain"
        }
    }

    /// The owner table the brain's rows reference.
    public var ownerTable: String {
        switch self {
        case .company: "companies"
        case .user: "profiles"
        }
    }

    /// The owner column in the brain table.
    public var ownerColumn: String {
        switch self {
        case .company: "company_id"
        case .user: "user_id"
        }
    }

    /// The plural path segment used by the HTTP API (`/v1/companies/...`, `/v1/users/...`).
    public var pathSegment: String {
        switch self {
        case .company: "companies"
        case .user: "users"
        }
    }

    /// Accepts `company`, `companies`, `user` or `users`.
    public init?(name: String) {
        switch name.lowercased() {
        case "company", "companies": self = .company
        case "user", "users": self = .user
        default: return nil
        }
    }
}
