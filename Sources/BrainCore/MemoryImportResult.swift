/// The summary of `brain import memories` (`POST /v1/memories/import`).
public struct MemoryImportResult: Sendable, Codable, Equatable {
    /// One line that was not imported, with its 1-based line number in the file.
    public struct LineError: Sendable, Codable, Equatable, CustomStringConvertible {
        public var line: Int
        public var slug: String?
        public var error: String

        public var description: String { "line \(line)\(slug.map { " (\($0))" } ?? ""): \(error)" }
    }

    /// Non-empty lines read.
    public var lines = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var failed = 0
    /// The first `MemoryImporter.maxReportedErrors` failures; `failed` counts them all.
    public var errors: [LineError] = []

    public init() {}

    /// Lines saved or found identical.
    public var imported: Int { created + updated + unchanged }
    public var success: Bool { failed == 0 }

    enum CodingKeys: String, CodingKey {
        case lines, created, updated, unchanged, failed, errors, imported, success
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lines = try container.decode(Int.self, forKey: .lines)
        created = try container.decode(Int.self, forKey: .created)
        updated = try container.decode(Int.self, forKey: .updated)
        unchanged = try container.decode(Int.self, forKey: .unchanged)
        failed = try container.decode(Int.self, forKey: .failed)
        errors = try container.decode([LineError].self, forKey: .errors)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lines, forKey: .lines)
        try container.encode(created, forKey: .created)
        try container.encode(updated, forKey: .updated)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(failed, forKey: .failed)
        try container.encode(errors, forKey: .errors)
        try container.encode(imported, forKey: .imported)
        try container.encode(success, forKey: .success)
    }
}
