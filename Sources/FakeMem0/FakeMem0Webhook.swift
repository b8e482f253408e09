import Foundation

/// A webhook registered with the fake, as the Platform describes them
/// (`POST /api/v1/webhooks/projects/{project_id}/`).
public struct FakeWebhook: Sendable, Hashable {
    public var id: String
    public var name: String
    public var url: String
    public var eventTypes: [String]
    public var project: String
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date

    /// The event types the Platform documents; `memory_*` are the ones the fake delivers.
    static let knownEventTypes: Set<String> = [
        "memory_add", "memory_update", "memory_delete", "memory_categorize",
        "ingest_job_completed", "ingest_job_partially_completed", "ingest_job_failed", "ingest_job_cancelled",
    ]

    var json: FakeJSON {
        [
            "webhook_id": .string(id), "name": .string(name), "url": .string(url), "owner": "fake",
            "event_types": .array(eventTypes.map(FakeJSON.string)), "project": .string(project),
            "is_active": .bool(isActive), "created_at": .string(FakeTimestamp.string(createdAt)),
            "updated_at": .string(FakeTimestamp.string(updatedAt)),
        ]
    }
}

/// A change to a memory that webhooks are told about.
public struct FakeWebhookEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case add = "ADD", update = "UPDATE", delete = "DELETE"

        var eventType: String {
            switch self {
            case .add: "memory_add"
            case .update: "memory_update"
            case .delete: "memory_delete"
            }
        }
    }

    public var kind: Kind
    public var memoryID: String
    public var text: String

    /// The body the Platform posts: `{"event_details": {"id", "data": {"memory"}, "event"}}`.
    var payload: FakeJSON {
        ["event_details": ["id": .string(memoryID), "data": ["memory": .string(text)], "event": .string(kind.rawValue)]]
    }
}

/// How the fake delivers webhook events; the defaults deliver each event once, at once, in order.
/// Mem0 documents no delivery guarantee, so a client must survive all of these.
public struct FakeWebhookDelivery: Sendable, Hashable {
    /// Probability in 0...1 that a delivery is dropped.
    public var dropRate: Double
    /// Added before each delivery.
    public var delay: Duration
    /// Probability in 0...1 that a delivery is sent twice.
    public var duplicateRate: Double
    /// When set, events arriving within this window are delivered newest first.
    public var reorderWindow: Duration?

    public init(dropRate: Double = 0, delay: Duration = .zero, duplicateRate: Double = 0, reorderWindow: Duration? = nil) {
        self.dropRate = dropRate
        self.delay = delay
        self.duplicateRate = duplicateRate
        self.reorderWindow = reorderWindow
    }
}
