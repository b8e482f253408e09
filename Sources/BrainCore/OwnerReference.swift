import Foundation

/// How an API caller names an owner: by RUT, or by the UUID of its `companies`/`profiles` row.
public enum OwnerReference: Sendable, Hashable, CustomStringConvertible {
    case rut(RUT)
    case id(UUID)

    /// Parses a path segment. A UUID is tried first because no valid RUT looks like one.
    public init(_ text: String, verifyCheckDigit: Bool = true) throws(BrainError) {
        let trimmed = text.trimmingWhitespace(newlines: false)
        if trimmed.utf8.count == 36, let uuid = UUID(uuidString: trimmed) {
            self = .id(uuid)
            return
        }
        do {
            self = .rut(try RUT(trimmed, verifyCheckDigit: verifyCheckDigit))
        } catch {
            throw .invalid(field: "owner", reason: "\(error.description); expected a RUT or an owner UUID")
        }
    }

    public var description: String {
        switch self {
        case .rut(let rut): rut.normalized
        case .id(let uuid): uuid.uuidString.lowercased()
        }
    }
}
