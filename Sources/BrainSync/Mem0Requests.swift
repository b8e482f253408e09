import BrainCore

/// Request bodies, shaped exactly as mem0ai 2.2.1 sends them (see the request traces in the
/// wire contract). Internal: callers use the ``Mem0Client`` methods.
enum Mem0Requests {
    /// One chat message; add sends the memory text as a single `user` message.
    struct Message: Encodable {
        var role: String
        var content: String
    }

    /// `POST /v3/memories/add/`.
    struct Add: Encodable {
        var messages: [Message]
        var userID: String
        var metadata: [String: JSONValue]
        // false: store verbatim, no LLM extraction; the Platform then answers synchronously.
        var infer: Bool

        enum CodingKeys: String, CodingKey { case messages, userID = "user_id", metadata, infer }
    }

    /// `PUT /v1/memories/{id}/`; nil fields are left out so they stay unchanged.
    struct Update: Encodable {
        var text: String?
        var metadata: [String: JSONValue]?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(text, forKey: .text)
            try c.encodeIfPresent(metadata, forKey: .metadata)
        }

        enum CodingKeys: String, CodingKey { case text, metadata }
    }

    /// `POST /v3/memories/` (list). Page and page size go in the query.
    struct List: Encodable {
        var filters: JSONValue
    }

    /// `POST /v3/memories/search/`.
    struct Search: Encodable {
        var query: String
        var filters: JSONValue
        var topK: Int
        var threshold: Double?

        enum CodingKeys: String, CodingKey { case query, filters, topK = "top_k", threshold }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(query, forKey: .query)
            try c.encode(filters, forKey: .filters)
            try c.encode(topK, forKey: .topK)
            try c.encodeIfPresent(threshold, forKey: .threshold)
        }
    }

    /// The `filters` object for one user, optionally narrowed by exact metadata key/values.
    ///
    /// Without metadata this is the plain `{"user_id": ...}` the SDK sends. With metadata it is
    /// the documented v2 filter form `{"AND": [{"user_id": ...}, {"metadata": {...}}]}`.
    static func filters(userID: String, metadata: [String: JSONValue]?) -> JSONValue {
        let user: JSONValue = .object(["user_id": .string(userID)])
        guard let metadata, !metadata.isEmpty else { return user }
        return .object(["AND": .array([user, .object(["metadata": .object(metadata)])])])
    }
}
