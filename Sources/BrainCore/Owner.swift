import Foundation
import GRDB

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

extension Owner {
    /// Finds the owner a reference names, or creates it when the reference is a RUT not seen yet
    /// and `create` is true. A UUID is never invented for an unknown id.
    static func resolve(
        _ reference: OwnerReference, brain: BrainKind, create: Bool, in db: Database
    ) throws -> Owner {
        let sql = "SELECT id, rut FROM \(brain.ownerTable) WHERE \(reference.isID ? "id" : "rut") = ?"
        if let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [reference.description]) {
            return Owner(id: row["id"], rut: row["rut"])
        }
        guard create, case .rut(let rut) = reference else {
            throw BrainError.ownerNotFound(brain: brain, owner: reference.description)
        }
        let owner = Owner(id: UUID().uuidString.lowercased(), rut: rut.normalized)
        let now = Timestamp.now()
        try db.execute(
            sql: "INSERT INTO \(brain.ownerTable) (id, rut, created_at, updated_at) VALUES (?, ?, ?, ?)",
            arguments: [owner.id, owner.rut, now, now])
        return owner
    }
}

extension OwnerReference {
    var isID: Bool {
        if case .id = self { return true }
        return false
    }
}
