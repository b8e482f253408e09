import Foundation

/// A memory held by the fake, with the fields the Platform returns.
public struct FakeMemory: Sendable, Hashable {
    /// Lower-case UUID string, as the Platform issues them.
    public var id: String
    /// The memory text.
    public var memory: String
    /// The owning user; add requires at least one entity id.
    public var userID: String?
    /// The owning agent.
    public var agentID: String?
    /// The owning app.
    public var appID: String?
    /// The run (`session_id` in get/list answers, `run_id` in search answers).
    public var runID: String?
    /// Metadata; nil renders as JSON `null`.
    public var metadata: [String: FakeJSON]?
    /// Categories (the fake never assigns any by itself).
    public var categories: [String]
    /// Creation time.
    public var createdAt: Date
    /// Last update time; equal to `createdAt` until the first update.
    public var updatedAt: Date
    /// The memory that superseded this one (the Platform's `replaced_by`); nil while it is current.
    public var replacedBy: String?

    /// Creates a memory; the id defaults to a fresh lower-case UUID and both times to now.
    public init(
        id: String = UUID().uuidString.lowercased(), memory: String, userID: String? = nil,
        agentID: String? = nil, appID: String? = nil, runID: String? = nil,
        metadata: [String: FakeJSON]? = nil, categories: [String] = [],
        createdAt: Date = Date(), updatedAt: Date? = nil
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
        self.updatedAt = updatedAt ?? createdAt
    }

    /// The shape of get, update and list items (`run_id` is called `session_id` there).
    var platformJSON: FakeJSON {
        .object([
            "id": .string(id), "memory": .string(memory),
            "user_id": userID.json, "agent_id": agentID.json, "app_id": appID.json, "session_id": runID.json,
            "metadata": metadata.map(FakeJSON.object) ?? .null,
            "categories": .array(categories.map(FakeJSON.string)),
            "created_at": .string(FakeTimestamp.string(createdAt)),
            "updated_at": .string(FakeTimestamp.string(updatedAt)),
            "expiration_date": .null, "structured_attributes": .null, "replaced_by": replacedBy.json,
            "synthesized": .bool(false), "lifecycle_state": .string("active"),
        ])
    }

    /// The shape of a search hit (`run_id`, plus `score` and `score_breakdown`).
    func searchJSON(score: Double) -> FakeJSON {
        .object([
            "id": .string(id), "memory": .string(memory), "user_id": userID.json, "score": .double(score),
            "score_breakdown": .object(["semantic": .double(score), "bm25": .double(0), "entity": .double(0)]),
            "agent_id": agentID.json, "app_id": appID.json, "run_id": runID.json, "expiration_date": .null,
            "metadata": metadata.map(FakeJSON.object) ?? .null,
            "categories": .array(categories.map(FakeJSON.string)),
            "created_at": .string(FakeTimestamp.string(createdAt)),
            "updated_at": .string(FakeTimestamp.string(updatedAt)),
        ])
    }
}

/// ISO-8601 timestamps with fractional seconds in UTC, e.g. `2026-02-15T10:30:00.123Z`.
enum FakeTimestamp {
    static func string(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    static func date(_ string: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(string) { return date }
        return try? Date.ISO8601FormatStyle().parse(string)
    }
}
