import Foundation

/// A company or profile row, reduced to what the brain operations need.
public struct Owner: Sendable, Equatable, Codable {
    /// UUID of the `companies`/`profiles` row.
    public var id: String
    /// Normalized RUT, the Mem0 entity id.
    public var rut: String

    public init(id: String, rut: String) {
        self.id = id
        self.rut = rut
    }
}

extension OwnerReference {
    public var isID: Bool {
        if case .id = self { return true }
        return false
    }
}
