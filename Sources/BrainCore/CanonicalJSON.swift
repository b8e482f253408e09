import Foundation

/// JSON encoding with sorted keys, so equal values always produce equal text. The store compares
/// stored metadata by this text to tell an identical save (no write) from an update.
public enum CanonicalJSON {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes a value to canonical JSON text.
    public static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
