/// Where a search looks.
public enum SearchMode: String, Sendable, Codable, CaseIterable {
    /// Mem0 with a short deadline, falling back to local search on error, timeout or offline.
    case auto
    /// The local full-text index only.
    case local
    /// Mem0 only; an error if Mem0 cannot answer.
    case remote
}

/// A search request, as `GET /v1/search` query parameters or a `POST /v1/search` body.
public struct SearchRequest: Sendable, Codable, Equatable {
    /// The words to look for.
    public var q: String
    /// The owner's RUT or UUID.
    public var owner: String
    public var brain: BrainKind
    public var limit: Int?
    public var mode: SearchMode?

    public init(q: String, owner: String, brain: BrainKind, limit: Int? = nil, mode: SearchMode? = nil) {
        self.q = q
        self.owner = owner
        self.brain = brain
        self.limit = limit
        self.mode = mode
    }
}

/// One hit: the memory and its relevance (higher is better; scales differ by source).
public struct SearchHit: Sendable, Codable, Equatable {
    public var memory: Memory
    public var score: Double

    public init(memory: Memory, score: Double) {
        self.memory = memory
        self.score = score
    }
}

/// The answer to a search: which source answered, and why local answered in `auto` mode.
public struct SearchResponse: Sendable, Codable, Equatable {
    /// `local` or `mem0`.
    public var source: String
    public var mode: SearchMode
    public var results: [SearchHit]
    /// Why `auto` fell back to local search (Mem0 offline, slow or failing).
    public var fallbackReason: String?

    public init(source: String, mode: SearchMode, results: [SearchHit], fallbackReason: String? = nil) {
        self.source = source
        self.mode = mode
        self.results = results
        self.fallbackReason = fallbackReason
    }

    enum CodingKeys: String, CodingKey {
        case source, mode, results
        case fallbackReason = "fallback_reason"
    }
}

/// A Mem0 search hit, before it is mapped back to a row.
public struct RemoteSearchHit: Sendable, Equatable {
    public var memoryID: String
    public var brain: String?
    public var score: Double

    public init(memoryID: String, brain: String?, score: Double) {
        self.memoryID = memoryID
        self.brain = brain
        self.score = score
    }
}

/// The seam to Mem0's search, implemented in BrainSync; nil when no key is configured.
public protocol RemoteSearch: Sendable {
    /// Searches one entity's memories in Mem0.
    func search(query: String, entity: String, limit: Int, deadline: Duration?) async throws -> [RemoteSearchHit]
}
