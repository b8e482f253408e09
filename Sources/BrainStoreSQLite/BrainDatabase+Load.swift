import BrainCore
import Foundation
import GRDB

/// The loader's view of the SQLite store; the loading rules are `OwnerLoader`'s.
extension BrainDatabase: LoaderStore {
    public func companyRecords(id: String?) async throws -> [CompanyRecord] {
        try await storageRead { db in try Self.fetchOwners(CompanyRecord.self, id: id, in: db) }
    }

    public func userRecords(id: String?) async throws -> [UserRecord] {
        try await storageRead { db in try Self.fetchOwners(UserRecord.self, id: id, in: db) }
    }

    public func existingOwnerID(_ brain: BrainKind, owner reference: OwnerReference) async throws -> String {
        try await storageRead { db in try Owner.resolve(reference, brain: brain, create: false, in: db).id }
    }

    /// Only these may be removed by a load: other slugs, and agents' memories under builder
    /// slugs, belong to agents.
    public func loaderSlugs(_ brain: BrainKind, slugs: [String], ownerID: String?) async throws -> [String: Set<String>] {
        try await storageRead { db in
            var sql = """
                SELECT \(brain.ownerColumn) AS owner_id, slug FROM \(brain.table)
                WHERE deleted = 0 AND source = 'loader' AND slug IN (\(Array(repeating: "?", count: slugs.count).joined(separator: ", ")))
                """
            var arguments = StatementArguments(slugs)
            if let ownerID {
                sql += " AND \(brain.ownerColumn) = ?"
                arguments += [ownerID]
            }
            var result: [String: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                result[row["owner_id"], default: []].insert(row["slug"])
            }
            return result
        }
    }

    /// Owner records, one by id or all of them in RUT order.
    private static func fetchOwners<Record: RowDecodableOwner>(_ type: Record.Type, id: String?, in db: Database) throws -> [Record] {
        let table = Record.brain.ownerTable
        let rows = if let id {
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE id = ?", arguments: [id])
        } else {
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rut")
        }
        return rows.map(Record.init(row:))
    }
}
