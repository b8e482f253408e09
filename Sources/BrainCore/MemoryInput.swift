import Foundation

/// One memory as a client submits it: the seed's `{slug, category, content}` plus optional metadata.
public struct MemoryInput: Sendable, Codable, Equatable {
    public var slug: String?
    public var category: String?
    public var content: String?
    public var metadata: JSONValue?
    /// A shape problem found while decoding (wrong type, unknown field). It is reported by
    /// `validated` so that one malformed item fails alone instead of failing the whole batch.
    var decodingProblem: (field: String, reason: String)?

    public init(slug: String?, category: String? = nil, content: String?, metadata: JSONValue? = nil) {
        self.slug = slug
        self.category = category
        self.content = content
        self.metadata = metadata
    }

    public static func == (lhs: MemoryInput, rhs: MemoryInput) -> Bool {
        lhs.slug == rhs.slug && lhs.category == rhs.category && lhs.content == rhs.content
            && lhs.metadata == rhs.metadata && lhs.decodingProblem?.field == rhs.decodingProblem?.field
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slug, category, content, metadata
    }

    public init(from decoder: any Decoder) throws {
        // A keyed container reads a well-formed item without a single thrown error; shape problems
        // are kept on the item (it fails alone) instead of failing the whole batch.
        guard let container = try? decoder.container(keyedBy: AnyCodingKey.self) else {
            decodingProblem = ("", "must be a JSON object")
            return
        }
        func string(_ key: CodingKeys) -> String? {
            let codingKey = AnyCodingKey(stringValue: key.rawValue)
            do {
                return try container.decodeIfPresent(String.self, forKey: codingKey)
            } catch {
                if decodingProblem == nil { decodingProblem = (".\(key.rawValue)", "must be a string") }
                return nil
            }
        }
        slug = string(.slug)
        category = string(.category)
        content = string(.content)
        do {
            metadata = try container.decodeIfPresent(JSONValue.self, forKey: AnyCodingKey(stringValue: CodingKeys.metadata.rawValue))
        } catch {
            // Dropping metadata that does not decode would save `{}` over the row's metadata.
            if decodingProblem == nil {
                // The error's path starts at the document; the item's problems are relative to the item.
                let decodingError = error as? DecodingError
                let path = decodingError.map { Array($0.codingPath.dropFirst(decoder.codingPath.count)) } ?? []
                let field = DecodingError.jsonPath(path.isEmpty ? [AnyCodingKey(stringValue: "metadata")] : path)
                decodingProblem = ("." + field, decodingError?.reason ?? "is not a JSON value braind can store")
            }
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if decodingProblem == nil, let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            decodingProblem = (".\(unknown)", "unknown field; expected slug, category, content, metadata")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(slug, forKey: .slug)
        try container.encodeIfPresent(category, forKey: .category)
        try container.encodeIfPresent(content, forKey: .content)
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}

/// A memory that passed validation: what the store writes.
public struct ValidMemory: Sendable, Equatable {
    public var slug: String
    public var category: String?
    public var content: String
    public var metadata: [String: JSONValue]
    /// `metadata` as canonical JSON, encoded once while validating (the size check needs it),
    /// so the store's writer compares and stores it without encoding again.
    public var metadataText: String
}

/// The documented input limits. They are deliberately generous for facts about an owner and small
/// enough that one batch stays far below the request body limit's order of magnitude.
public enum MemoryLimits {
    /// Slug length, as the seed's `VARCHAR(255)`.
    public static let slugMaxLength = 255
    /// Category length in characters.
    public static let categoryMaxLength = 64
    /// Content length in UTF-8 bytes (32 KiB).
    public static let contentMaxBytes = 32_768
    /// Encoded metadata size in bytes (8 KiB).
    public static let metadataMaxBytes = 8_192
    /// Items in one save batch.
    public static let batchMaxItems = 1_000
    /// Metadata keys the push worker writes itself; a client may not set them.
    public static let reservedMetadataKeys: Set<String> = ["brain", "slug", "category", "record_id"]
    /// Why a string with U+0000 is refused rather than stored: SQLite binds text up to its first
    /// NUL, so the rest would vanish and every later save of the same text would count as a change.
    /// Metadata strings (stored as JSON, where `\u0000` survives) follow the same rule, so a memory
    /// has one rule for all its strings and Mem0 is never sent a NUL.
    static let nulReason = "must not contain a NUL character (U+0000): it could not be stored whole"
}

extension MemoryInput {
    /// Validates the item and returns the normalized memory, or the first problem found.
    /// - Parameter field: the JSON path of this item, used in error messages (`memories[3]`).
    public func validated(field: String = "memory") throws(BrainError) -> ValidMemory {
        if let decodingProblem {
            throw .invalid(field: field + decodingProblem.field, reason: decodingProblem.reason)
        }
        let slug = try Self.validSlug(slug, field: "\(field).slug")
        var validCategory: String?
        if let category {
            let trimmed = category.trimmingWhitespace()
            guard trimmed.count <= MemoryLimits.categoryMaxLength else {
                throw .invalid(field: "\(field).category", reason: "at most \(MemoryLimits.categoryMaxLength) characters")
            }
            guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalid(field: "\(field).category", reason: "must not contain control characters")
            }
            validCategory = trimmed.isEmpty ? nil : trimmed
        }
        guard let content, !content.trimmingWhitespace().isEmpty else {
            throw .invalid(field: "\(field).content", reason: "must be a non-empty string")
        }
        guard !content.utf8.contains(0) else {
            throw .invalid(field: "\(field).content", reason: MemoryLimits.nulReason)
        }
        guard content.utf8.count <= MemoryLimits.contentMaxBytes else {
            throw .invalid(field: "\(field).content", reason: "at most \(MemoryLimits.contentMaxBytes) bytes of UTF-8")
        }
        let (metadata, metadataText) = try Self.validMetadata(metadata, field: "\(field).metadata")
        return ValidMemory(slug: slug, category: validCategory, content: content, metadata: metadata, metadataText: metadataText)
    }

    /// Checks a slug against `^[a-z0-9][a-z0-9_]*$` and the length limit.
    public static func validSlug(_ slug: String?, field: String = "slug") throws(BrainError) -> String {
        guard let slug, !slug.isEmpty else { throw .invalid(field: field, reason: "is required") }
        guard slug.utf8.count <= MemoryLimits.slugMaxLength else {
            throw .invalid(field: field, reason: "at most \(MemoryLimits.slugMaxLength) characters")
        }
        let bytes = Array(slug.utf8)
        let isLowerAlnum = { (byte: UInt8) in (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard isLowerAlnum(bytes[0]), bytes.allSatisfy({ isLowerAlnum($0) || $0 == 0x5F }) else {
            throw .invalid(
                field: field,
                reason: "'\(slug)' must match ^[a-z0-9][a-z0-9_]*$ (lowercase letters, digits, underscores)")
        }
        return slug
    }

    private static func validMetadata(
        _ metadata: JSONValue?, field: String
    ) throws(BrainError) -> (object: [String: JSONValue], text: String) {
        guard let metadata, metadata != .null else { return ([:], "{}") }
        guard case .object(let object) = metadata else {
            throw .invalid(field: field, reason: "must be a JSON object")
        }
        if let reserved = object.keys.sorted().first(where: MemoryLimits.reservedMetadataKeys.contains) {
            throw .invalid(field: "\(field).\(reserved)", reason: "is reserved: braind sets it when pushing to Mem0")
        }
        try rejectNUL(in: metadata, field: field)
        if object.isEmpty { return ([:], "{}") }
        guard let text = try? CanonicalJSON.encode(object), text.utf8.count <= MemoryLimits.metadataMaxBytes else {
            throw .invalid(field: field, reason: "at most \(MemoryLimits.metadataMaxBytes) bytes when encoded")
        }
        return (object, text)
    }

    /// Throws for the first string or member name holding U+0000, naming its path.
    private static func rejectNUL(in value: JSONValue, field: String) throws(BrainError) {
        switch value {
        case .string(let text) where text.utf8.contains(0):
            throw .invalid(field: field, reason: MemoryLimits.nulReason)
        case .array(let elements):
            for (index, element) in elements.enumerated() { try rejectNUL(in: element, field: "\(field)[\(index)]") }
        case .object(let members):
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                guard !key.utf8.contains(0) else { throw .invalid(field: field, reason: "has a member name with a NUL character (U+0000)") }
                try rejectNUL(in: member, field: "\(field).\(key)")
            }
        default:
            break
        }
    }
}
