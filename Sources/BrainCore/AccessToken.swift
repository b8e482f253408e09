/// A scoped token: a user token reaches that user's brain and the company brains of companies
/// where the user has an active session; a company token reaches that company's brain only;
/// a read-only token never writes. Only the hash of the token is stored.
public struct AccessToken: Sendable, Codable, Equatable {
    public var id: String
    /// `user` or `company`: whose brain the token is scoped to.
    public var brain: BrainKind
    /// Normalized RUT of that owner.
    public var rut: String
    public var readOnly: Bool
    public var createdAt: String
    public var revokedAt: String?

    public init(id: String, brain: BrainKind, rut: String, readOnly: Bool, createdAt: String, revokedAt: String? = nil) {
        self.id = id
        self.brain = brain
        self.rut = rut
        self.readOnly = readOnly
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, brain, rut
        case readOnly = "read_only"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

/// Who is asking: the socket's owner (full access) or the holder of a scoped token.
public enum Principal: Sendable, Equatable {
    case full
    case token(AccessToken)
}

/// The answer to creating a token: the only time the token itself is shown.
public struct CreatedToken: Sendable, Codable, Equatable {
    public var token: String
    public var details: AccessToken

    public init(token: String, details: AccessToken) {
        self.token = token
        self.details = details
    }
}
