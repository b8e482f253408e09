import Foundation

/// One Platform request as the fake saw it.
public struct FakeMem0RequestLogEntry: Sendable, Hashable {
    /// HTTP method.
    public var method: String
    /// Path without the query.
    public var path: String
    /// Query string without `?`, if any.
    public var query: String?
    /// The route it matched.
    public var route: FakeMem0Route
    /// Status sent; nil when the fake reset the connection instead of answering.
    public var status: Int?
    /// The injected fault, if one fired (e.g. `status 429`, `reset`, `store_then_timeout`).
    public var fault: String?
    /// When the request arrived.
    public var receivedAt: Date
    /// Time from arrival to the answer (or to the reset), latency included.
    public var duration: Duration

    /// The entry as control-API JSON.
    var json: FakeJSON {
        .object([
            "method": .string(method), "path": .string(path), "query": query.json, "route": .string(route.rawValue),
            "status": status.map { FakeJSON.int(Int64($0)) } ?? .null, "fault": fault.json,
            "received_at": .string(FakeTimestamp.string(receivedAt)),
            "duration_ms": .double(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15),
        ])
    }
}
