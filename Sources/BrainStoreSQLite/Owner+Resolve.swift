import BrainCore
import Foundation
import GRDB

extension Owner {
    /// Finds the owner a reference names, or creates it when the reference is a RUT not seen yet
    /// and `create` is true. A UUID is never invented for an unknown id.
    static func resolve(
        _ reference: OwnerReference, brain: BrainKind, create: Bool, in db: Database
    ) throws -> Owner {
        let sql = OwnerSQL.all[brain]
        // A save to a new owner runs both statements once per request (see DirectStatement).
        let find = try DirectStatement(db, sql: reference.isID ? sql.findByID : sql.findByRUT)
        if let owner = try find.fetchFirst(reference.description, read: { Owner(id: $0.string(0), rut: $0.string(1)) }) {
            return owner
        }
        guard create, case .rut(let rut) = reference else {
            throw BrainError.ownerNotFound(brain: brain, owner: reference.description)
        }
        let owner = Owner(id: TimeOrderedID.make(), rut: rut.normalized)
        let now = Timestamp.now()
        try DirectStatement(db, sql: sql.insert).execute(owner.id, owner.rut, now, now)
        return owner
    }
}

/// The owner look-ups and insert for each brain, built once (see `PerBrain`).
private struct OwnerSQL {
    let findByID: String
    let findByRUT: String
    let insert: String

    static let all = PerBrain(OwnerSQL.init)

    private init(_ brain: BrainKind) {
        findByID = "SELECT id, rut FROM \(brain.ownerTable) WHERE id = ?"
        findByRUT = "SELECT id, rut FROM \(brain.ownerTable) WHERE rut = ?"
        insert = "INSERT INTO \(brain.ownerTable) (id, rut, created_at, updated_at) VALUES (?, ?, ?, ?)"
    }
}
