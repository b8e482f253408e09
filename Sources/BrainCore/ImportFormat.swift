/// The file formats an owner import reads.
public enum ImportFormat: String, Sendable, Codable, CaseIterable {
    /// Comma-separated values with a header row of column names (RFC 4180; `;` also accepted).
    case csv
    /// One JSON array of objects.
    case json
    /// One JSON object per line (also called NDJSON).
    case jsonLines = "jsonl"

    /// Accepts `csv`, `json`, `jsonl`, `ndjson` and `jsonlines`, in any case; nil for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "csv": self = .csv
        case "json": self = .json
        case "jsonl", "ndjson", "jsonlines": self = .jsonLines
        default: return nil
        }
    }

    /// Guesses the format from the content: `[` first means a JSON array, `{` first means JSON
    /// lines, anything else is CSV (whose header row starts with a column name). Leading
    /// whitespace is skipped; a UTF-8 byte order mark must already be removed.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImportFormat {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        switch first {
        case UInt8(ascii: "["): return .json
        case UInt8(ascii: "{"): return .jsonLines
        default: return .csv
        }
    }
}
