import Foundation

/// One Mem0 webhook delivery: `{"event_details": {"id", "data": {"memory"}, "event"}}` for memory
/// events, `{"event_details": {"event": "CATEGORIZE", "memory_id", "categories"}}` for categories.
/// A hint of what changed, never the truth: braind reads Mem0 again before acting on it.
public struct Mem0WebhookEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case add, update, delete, categorize
        /// An event type braind does not handle; accepted and ignored.
        case other(String)

        public var label: String {
            switch self {
            case .add: "add"
            case .update: "update"
            case .delete: "delete"
            case .categorize: "categorize"
            case .other: "other"
            }
        }
    }

    public var kind: Kind
    public var memoryID: String?
    /// The memory's text as the delivery tells it.
    public var text: String?

    public init(kind: Kind, memoryID: String?, text: String?) {
        self.kind = kind
        self.memoryID = memoryID
        self.text = text
    }

    /// A body that is not a JSON object with an `event_details` object naming its `event`.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses a delivery body.
    public init(json: Data) throws(Malformed) {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let details = root["event_details"] as? [String: Any]
        else { throw Malformed(description: "the body must be a JSON object with an event_details object") }
        guard let event = details["event"] as? String, !event.isEmpty else {
            throw Malformed(description: "event_details.event must be a string")
        }
        let kind: Kind = switch event.uppercased() {
        case "ADD": .add
        case "UPDATE": .update
        case "DELETE": .delete
        case "CATEGORIZE": .categorize
        default: .other(event)
        }
        let id = (details["id"] as? String) ?? (details["memory_id"] as? String)
        let text = (details["data"] as? [String: Any])?["memory"] as? String
        self.init(kind: kind, memoryID: id, text: text)
    }
}

/// Where the webhook receiver hands deliveries; the sync module acts on them.
public protocol WebhookSink: Sendable {
    /// Queues one delivery; false when the queue was full (the work then falls back to a full
    /// reconcile). Returns at once: the receiver answers Mem0 without waiting for the repair.
    func accept(_ event: Mem0WebhookEvent) -> Bool
}

/// A webhook registered with the Mem0 Platform for braind's project.
public struct WebhookInfo: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var url: String
    public var eventTypes: [String]
    public var active: Bool

    public init(id: String, name: String, url: String, eventTypes: [String], active: Bool) {
        self.id = id
        self.name = name
        self.url = url
        self.eventTypes = eventTypes
        self.active = active
    }

    enum CodingKeys: String, CodingKey {
        case id, name, url, active
        case eventTypes = "event_types"
    }
}

/// Registering webhooks with Mem0 through braind, which holds the key.
public protocol WebhookControl: Sendable {
    func registerWebhook(url: String, name: String) async throws -> WebhookInfo
    func webhooks() async throws -> [WebhookInfo]
    func removeWebhook(id: String) async throws
}

/// The webhook control of a Mem0 that has no webhooks (the self-hosted server).
public struct NoWebhooks: WebhookControl {
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    public var reason: String

    public init(reason: String) { self.reason = reason }

    public func registerWebhook(url: String, name: String) async throws -> WebhookInfo { throw Unsupported(description: reason) }
    public func webhooks() async throws -> [WebhookInfo] { throw Unsupported(description: reason) }
    public func removeWebhook(id: String) async throws { throw Unsupported(description: reason) }
}
