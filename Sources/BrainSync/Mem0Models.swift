import BrainCore

/// A memory as the Platform returns it from get, list, update and search.
///
/// Decoding is lenient: only `id` is required, because the Platform adds and drops optional
/// fields over time and a sync must not fail on a field it does not use.
public struct Mem0Memory: Sendable, Hashable, Decodable {
    /// The memory id (a UUID string).
    public var id: String
    /// The memory text.
    public var memory: String
    /// The owning user entity.
    public var userID: String?
    /// The owning agent entity.
    public var agentID: String?
    /// The owning app entity.
    public var appID: String?
    /// The run id; list and get call it `session_id`, search calls it `run_id`.
    public var runID: String?
    /// Metadata stored with the memory; empty when the server sent null or nothing.
    public var metadata: [String: JSONValue]
    /// Categories the Platform assigned.
    public var categories: [String]
    /// ISO-8601 creation time, as sent.
    public var createdAt: String?
    /// ISO-8601 time of the last update, as sent.
    public var updatedAt: String?
    /// Search relevance in [0, 1]; only set on search results.
    public var score: Double?

    /// Creates a memory value (for tests and fakes; the client decodes them).
    /// The memory that superseded this one, when the Platform merged or replaced it.
    public var replacedBy: String?

    public init(
        id: String, memory: String, userID: String? = nil, agentID: String? = nil, appID: String? = nil,
        runID: String? = nil, metadata: [String: JSONValue] = [:], categories: [String] = [],
        createdAt: String? = nil, updatedAt: String? = nil, score: Double? = nil
    ) {
        self.id = id
        self.memory = memory
        self.userID = userID
        self.agentID = agentID
        self.appID = appID
        self.runID = runID
        self.metadata = metadata
        self.categories = categories
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case id, memory, metadata, categories, score
        case userID = "user_id", agentID = "agent_id", appID = "app_id"
        case runID = "run_id", sessionID = "session_id"
        case createdAt = "created_at", updatedAt = "updated_at"
        case replacedBy = "replaced_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // A field of an unexpected type reads as absent rather than failing the whole list.
        func optional<T: Decodable>(_ type: T.Type, _ key: CodingKeys) -> T? {
            (try? c.decodeIfPresent(type, forKey: key)) ?? nil
        }
        id = try c.decode(String.self, forKey: .id)
        memory = optional(String.self, .memory) ?? ""
        userID = optional(String.self, .userID)
        agentID = optional(String.self, .agentID)
        appID = optional(String.self, .appID)
        runID = optional(String.self, .runID) ?? optional(String.self, .sessionID)
        metadata = optional([String: JSONValue].self, .metadata) ?? [:]
        categories = optional([String].self, .categories) ?? []
        createdAt = optional(String.self, .createdAt)
        updatedAt = optional(String.self, .updatedAt)
        score = optional(Double.self, .score)
        replacedBy = optional(String.self, .replacedBy)
    }
}

/// The answer to `GET /v1/ping/`.
public struct Mem0PingResponse: Sendable, Hashable, Decodable {
    /// `"ok"` when the key is valid.
    public var status: String?
    /// The organisation the key belongs to.
    public var orgID: String?
    /// The project the key belongs to.
    public var projectID: String?
    /// The key owner's e-mail.
    public var userEmail: String?

    enum CodingKeys: String, CodingKey {
        case status, orgID = "org_id", projectID = "project_id", userEmail = "user_email"
    }

    public init(status: String?, orgID: String? = nil, projectID: String? = nil, userEmail: String? = nil) {
        self.status = status
        self.orgID = orgID
        self.projectID = projectID
        self.userEmail = userEmail
    }
}

/// The state of an asynchronous add, from `GET /v1/event/{id}/`.
public struct Mem0Event: Sendable, Hashable, Decodable {
    /// Where an event is in its life.
    public enum Status: Sendable, Hashable {
        case pending, running, succeeded, failed
        /// A status this client does not know; treated as still in progress.
        case other(String)

        /// The status as the wire spells it.
        public var name: String {
            switch self {
            case .pending: "PENDING"
            case .running: "RUNNING"
            case .succeeded: "SUCCEEDED"
            case .failed: "FAILED"
            case .other(let raw): raw
            }
        }

        init(_ raw: String) {
            switch raw.uppercased() {
            case "PENDING": self = .pending
            case "RUNNING": self = .running
            case "SUCCEEDED": self = .succeeded
            case "FAILED": self = .failed
            default: self = .other(raw)
            }
        }
    }

    /// The event id.
    public var id: String
    /// Current status.
    public var status: Status
    /// Ids of the memories the event created (empty until it succeeds, or if it stored nothing).
    public var memoryIDs: [String]
    /// The server's error text for a failed event, if any.
    public var errorMessage: String?

    enum CodingKeys: String, CodingKey { case id, status, results, error }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        status = Status(try c.decodeIfPresent(String.self, forKey: .status) ?? "")
        let results = (try? c.decodeIfPresent([Mem0AddResultItem].self, forKey: .results)) ?? []
        memoryIDs = results.compactMap(\.id)
        // `error` is null, a string or an object depending on the failure.
        errorMessage = (try? c.decodeIfPresent(JSONValue.self, forKey: .error)).flatMap { $0 }
            .flatMap(Mem0ErrorBody.message(fromJSON:))
    }

    init(id: String, status: Status, memoryIDs: [String], errorMessage: String?) {
        self.id = id
        self.status = status
        self.memoryIDs = memoryIDs
        self.errorMessage = errorMessage
    }
}

/// One item of `results` in an add answer or an event: `{"id", "data": {"memory"}, "event"}`.
struct Mem0AddResultItem: Decodable {
    var id: String?
    var event: String?
}

/// The answer to an add, in every shape seen: the v3 synchronous and pending objects, and the
/// legacy v1 bare array (of result items or of a pending event).
struct Mem0AddResponse: Decodable {
    var eventID: String?
    var status: String?
    var results: [Mem0AddResultItem]?
    var message: String?

    enum CodingKeys: String, CodingKey { case eventID = "event_id", status, results, message }

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [Mem0AddResultItem] = []
            var pending: (String?, String?) = (nil, nil)
            while !array.isAtEnd {
                let element = try array.decode(Mem0AddResponseElement.self)
                if element.id != nil {
                    items.append(Mem0AddResultItem(id: element.id, event: element.event))
                } else if element.eventID != nil {
                    pending = (element.eventID, element.status)
                }
            }
            (eventID, status) = pending
            results = items.isEmpty && pending.0 != nil ? nil : items
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try c.decodeIfPresent(String.self, forKey: .eventID)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        results = try c.decodeIfPresent([Mem0AddResultItem].self, forKey: .results)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
    }
}

/// An element of a legacy bare-array add answer.
private struct Mem0AddResponseElement: Decodable {
    var id: String?
    var event: String?
    var eventID: String?
    var status: String?
    enum CodingKeys: String, CodingKey { case id, event, eventID = "event_id", status }
}

/// A page of `POST /v3/memories/` (memories) or `GET /v1/entities/` (entities): the list
/// envelope `{count, next, previous, results}`.
struct Mem0Page<Item: Decodable>: Decodable {
    var count: Int?
    var next: String?
    var results: [Item]

    enum CodingKeys: String, CodingKey { case count, next, results }

    init(from decoder: any Decoder) throws {
        // Legacy list endpoints answer a bare array when unpaginated.
        if let bare = try? decoder.singleValueContainer().decode([Item].self) {
            results = bare
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try? c.decodeIfPresent(Int.self, forKey: .count)
        next = try? c.decodeIfPresent(String.self, forKey: .next)
        results = try c.decodeIfPresent([Item].self, forKey: .results) ?? []
    }
}

/// The answer to search: `{"results": [...]}`, or a bare array from the legacy endpoints.
struct Mem0SearchResponse: Decodable {
    var results: [Mem0Memory]

    enum CodingKeys: String, CodingKey { case results }

    init(from decoder: any Decoder) throws {
        if let bare = try? decoder.singleValueContainer().decode([Mem0Memory].self) {
            results = bare
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        results = try c.decodeIfPresent([Mem0Memory].self, forKey: .results) ?? []
    }
}

/// One entity of the project, from `GET /v1/entities/`.
public struct Mem0Entity: Sendable, Hashable, Decodable {
    /// The entity id as given on add (for us, a normalized RUT).
    public var name: String
    /// `user`, `agent`, `app` or `run`.
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }

    enum CodingKeys: String, CodingKey { case name, type }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? "user"
    }
}
