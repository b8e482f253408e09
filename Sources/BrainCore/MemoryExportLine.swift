import Foundation

/// One memory as `brain export` writes it and `brain import memories` reads it: one JSON object
/// per line, keys in sorted order,
/// `{"brain","category","content","created_at","metadata","owner","slug","updated_at"}`.
/// `owner` is the normalized RUT. The line is written by hand rather than by `JSONEncoder`: the
/// stored metadata is already canonical JSON text and is copied as is, which keeps exports
/// byte-stable across machines and a million lines cheap.
public struct MemoryExportLine: Sendable, Equatable {
    public var brain: BrainKind
    public var owner: String
    public var slug: String
    public var category: String?
    public var content: String
    /// Canonical JSON text of the metadata object (`{}` when empty).
    public var metadataJSON: String
    public var createdAt: String
    public var updatedAt: String

    public static let fields: Set<String> = ["brain", "owner", "slug", "category", "content", "metadata", "created_at", "updated_at"]

    /// Appends the line, with its newline, to `bytes`.
    public func write(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"brain":"#.utf8)
        JSONText.quote(brain.rawValue, into: &bytes)
        bytes.append(contentsOf: #","category":"#.utf8)
        if let category { JSONText.quote(category, into: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        bytes.append(contentsOf: #","content":"#.utf8)
        JSONText.quote(content, into: &bytes)
        bytes.append(contentsOf: #","created_at":"#.utf8)
        JSONText.quote(createdAt, into: &bytes)
        bytes.append(contentsOf: #","metadata":"#.utf8)
        bytes.append(contentsOf: metadataJSON.utf8)
        bytes.append(contentsOf: #","owner":"#.utf8)
        JSONText.quote(owner, into: &bytes)
        bytes.append(contentsOf: #","slug":"#.utf8)
        JSONText.quote(slug, into: &bytes)
        bytes.append(contentsOf: #","updated_at":"#.utf8)
        JSONText.quote(updatedAt, into: &bytes)
        bytes.append(contentsOf: "}\n".utf8)
    }

    public init(brain: BrainKind, owner: String, slug: String, category: String? = nil, content: String, metadataJSON: String, createdAt: String, updatedAt: String) {
        self.brain = brain
        self.owner = owner
        self.slug = slug
        self.category = category
        self.content = content
        self.metadataJSON = metadataJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// JSON string literals, written without an encoder.
enum JSONText {
    private static let hex = Array("0123456789abcdef".utf8)

    static func quote(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
