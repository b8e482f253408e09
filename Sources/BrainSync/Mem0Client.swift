import BrainCore

/// The calls braind makes against the Mem0 Platform REST API.
///
/// Every call throws ``Mem0Error`` for anything the server or the network did wrong, and
/// `CancellationError` when the calling task is cancelled. Implementations do not retry:
/// the push worker owns retries and uses ``Mem0Error/failureClass`` to decide.
public protocol Mem0Client: Sendable {
    /// Checks reachability and the API key: `GET /v1/ping/`.
    func ping() async throws -> Mem0PingResponse

    /// Stores `text` verbatim for an entity: `POST /v3/memories/add/` with `infer: false`.
    ///
    /// When the Platform answers with a pending event, the implementation polls
    /// `GET /v1/event/{id}/` until it completes or the configured poll budget runs out.
    /// - Parameters:
    ///   - text: The memory text, sent as one `user` message.
    ///   - userID: The entity id (a normalized RUT), sent as `user_id`.
    ///   - metadata: Stored with the memory (brain, slug, category, record_id and extras).
    /// - Returns: The created memory ids, or ``Mem0AddOutcome/nothingStored(eventID:)``.
    func add(text: String, userID: String, metadata: [String: JSONValue]) async throws -> Mem0AddOutcome

    /// Reads the status of an asynchronous add: `GET /v1/event/{id}/`.
    ///
    /// `add` already polls; this exists so a caller holding the event id of an add that
    /// timed out while polling can look again later.
    func event(id: String) async throws -> Mem0Event

    /// Fetches one memory: `GET /v1/memories/{id}/`.
    func get(id: String) async throws -> Mem0Memory

    /// Changes the text and/or metadata of a memory: `PUT /v1/memories/{id}/`.
    ///
    /// At least one of `text` and `metadata` must be non-nil.
    /// - Returns: The memory as the server holds it after the update.
    func update(id: String, text: String?, metadata: [String: JSONValue]?) async throws -> Mem0Memory

    /// Deletes one memory: `DELETE /v1/memories/{id}/`.
    func delete(id: String) async throws

    /// Lists every memory of an entity: `POST /v3/memories/?page=&page_size=`, following all pages.
    /// - Parameters:
    ///   - userID: The entity whose memories to list.
    ///   - metadataFilter: When set, only memories whose metadata has these exact top-level
    ///     key/value pairs.
    func list(userID: String, metadataFilter: [String: JSONValue]?) async throws -> [Mem0Memory]

    /// Searches one entity's memories: `POST /v3/memories/search/`.
    /// - Parameters:
    ///   - query: The search text; must not be empty after trimming.
    ///   - userID: The entity to search within (`filters.user_id`).
    ///   - topK: At most this many results (the Platform accepts 1...1000).
    ///   - threshold: Minimum score; nil leaves the Platform default (0.1).
    /// - Returns: Matches, best first, with ``Mem0Memory/score`` set.
    func search(query: String, userID: String, topK: Int, threshold: Double?) async throws -> [Mem0Memory]

    /// Lists the project's entities ("users", agents, apps, runs): `GET /v1/entities/`, every page.
    func entities() async throws -> [Mem0Entity]

    /// Every memory of an entity, and whether that is all of them (a dialect with a listing cap
    /// cannot always list an entity whole).
    func listing(userID: String) async throws -> Mem0Listing

    /// The memories carrying a row's `record_id` (the exactly-once lookup before a re-add).
    /// - Parameter text: the row's text, for dialects that must search for it to find them all.
    func memories(carrying recordID: String, userID: String, text: String) async throws -> [Mem0Memory]
}

/// One entity's memories as listed, and whether the listing holds all of them.
public struct Mem0Listing: Sendable {
    public var memories: [Mem0Memory]
    /// False when the server's cap cut the listing short: memories it does not show may exist.
    public var complete: Bool

    public init(memories: [Mem0Memory], complete: Bool) {
        self.memories = memories
        self.complete = complete
    }
}

extension Mem0Client {
    /// A paged listing follows every page, so it is complete.
    public func listing(userID: String) async throws -> Mem0Listing {
        Mem0Listing(memories: try await list(userID: userID, metadataFilter: nil), complete: true)
    }

    /// The server filters by metadata, so one listing finds them all.
    public func memories(carrying recordID: String, userID: String, text: String) async throws -> [Mem0Memory] {
        try await list(userID: userID, metadataFilter: ["record_id": .string(recordID)])
            .filter { $0.metadata["record_id"] == .string(recordID) }
    }
}

/// What an add left on the Platform.
public enum Mem0AddOutcome: Sendable, Hashable {
    /// The memory was stored; `ids` are the created memory ids (normally exactly one).
    case stored(ids: [String], eventID: String?)
    /// The add completed (`SUCCEEDED`) but stored nothing, e.g. because the Platform judged
    /// the text a duplicate. The caller decides whether that is an error.
    case nothingStored(eventID: String?)
}
