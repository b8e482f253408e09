/// The Platform routes the fake serves; used to aim faults and to read the request log.
public enum FakeMem0Route: String, Sendable, Hashable, CaseIterable, Codable {
    /// `GET /v1/ping/`
    case ping
    /// `POST /v3/memories/add/`
    case add
    /// `GET /v1/event/{id}/`
    case event
    /// `GET /v1/memories/{id}/`
    case get
    /// `PUT /v1/memories/{id}/`
    case update
    /// `DELETE /v1/memories/{id}/`
    case delete
    /// `POST /v3/memories/?page=&page_size=`
    case list
    /// `POST /v3/memories/search/`
    case search
    /// `GET /v1/entities/`
    case entities
    /// `/api/v1/webhooks/...`: create, list, update and delete webhooks.
    case webhooks

    /// Whether the route changes stored memories (what write-count assertions count).
    public var isWrite: Bool {
        switch self {
        case .add, .update, .delete: true
        case .ping, .event, .get, .list, .search, .entities, .webhooks: false
        }
    }
}
