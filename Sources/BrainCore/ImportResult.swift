/// The outcome of an owner or session import.
///
/// Good rows are written in one transaction; each bad row is skipped and reported. `imported` is
/// `created + updated + unchanged`; `failed` is the number of bad rows, one error each.
public struct ImportResult: Sendable, Codable, Equatable {
    /// The format read (given or detected).
    public var format: ImportFormat
    /// Rows written or already up to date.
    public var imported: Int
    /// Rows whose key was new.
    public var created: Int
    /// Existing rows whose data changed.
    public var updated: Int
    /// Existing rows the file repeats exactly: nothing written.
    public var unchanged: Int
    /// Bad rows, skipped.
    public var failed: Int
    /// One entry per bad row, in file order.
    public var errors: [ImportRowError]

    public init(format: ImportFormat, created: Int = 0, updated: Int = 0, unchanged: Int = 0, errors: [ImportRowError]) {
        self.format = format
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.imported = created + updated + unchanged
        self.errors = errors.sorted { ($0.line, $0.item ?? 0) < ($1.line, $1.item ?? 0) }
        self.failed = errors.count
    }

    enum CodingKeys: String, CodingKey {
        case format, imported, created, updated, unchanged, failed, errors
    }
}

/// Why one row of an import file was skipped, and where it is.
public struct ImportRowError: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The physical line the row starts on: in CSV the header is line 1 and a quoted field with
    /// line breaks makes its row span several lines; in JSON lines, the line; in a JSON array, the
    /// line where the element starts.
    public var line: Int
    /// The 1-based element index in a JSON array; nil for CSV and JSON lines.
    public var item: Int?
    /// `column: reason`, e.g. `rut: RUT '12.345.678-K' has check digit 'k' but its body requires '5'`.
    public var reason: String

    public init(line: Int, item: Int? = nil, reason: String) {
        self.line = line
        self.item = item
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case line, item, reason
    }

    /// `line 4: reason`, or `item 2 (line 5): reason`.
    public var description: String {
        let place = item.map { "item \($0) (line \(line))" } ?? "line \(line)"
        return "\(place): \(reason)"
    }
}
