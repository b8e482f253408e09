/// Which Mem0 braind's memory ids belong to: the dialect, the address and, on the Platform, the
/// project the key belongs to. Ids of one target mean nothing to another, so braind records the
/// target its ids came from and stops pushing when the configured one differs.
public struct Mem0Target: Sendable, Codable, Equatable, CustomStringConvertible {
    public var api: String
    public var baseURL: String
    public var project: String?

    public init(api: String, baseURL: String, project: String?) {
        self.api = api
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.project = project
    }

    public var description: String { "\(api) \(baseURL)" + (project.map { " (project \($0))" } ?? "") }

    enum CodingKeys: String, CodingKey {
        case api, project
        case baseURL = "base_url"
    }
}

/// What `brain retarget` did, or would do.
public struct RetargetReport: Sendable, Codable, Equatable {
    public var from: Mem0Target?
    public var to: Mem0Target
    /// Live rows to push to the new target (each looked up by record_id first, then added).
    public var rows: Int
    /// Deleted rows whose delete goes to the new target instead (the old one is left untouched).
    public var tombstones: Int
    public var dryRun: Bool

    public init(from: Mem0Target?, to: Mem0Target, rows: Int, tombstones: Int, dryRun: Bool) {
        self.from = from
        self.to = to
        self.rows = rows
        self.tombstones = tombstones
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case from, to, rows, tombstones
        case dryRun = "dry_run"
    }
}

/// The seam between the API and what moves braind to another Mem0.
public protocol RetargetControl: Sendable {
    func retarget(dryRun: Bool) async throws -> RetargetReport
}
