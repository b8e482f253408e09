import BrainCore
import Foundation
import GRDB

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
        let owner = Owner(id: TimeOrderedID.make(), rut: rut.normalized)
        let now = Timestamp.now()
        // Cached: a save to a new owner runs this once per request.
        try db.cachedStatement(sql: "INSERT INTO \(brain.ownerTable) (id, rut, created_at, updated_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [owner.id, owner.rut, now, now])
        return owner
    }
}
