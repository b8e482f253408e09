import BrainCore
import Foundation
import PostgresNIO

/// The loader's view of the PostgreSQL store; the loading rules (and `load`, `loadAll…`) are
/// `OwnerLoader`'s, written once for every store.
extension PostgresStore: LoaderStore {
    public func companyRecords(id: String?) async throws -> [CompanyRecord] {
        let uuid = id.flatMap(UUID.init(uuidString:))
        return try await read { connection in
            try await connection.rows(
                """
                SELECT id::text, rut, business_name, tax_regime, sii_activity_name, sii_activity_code,
                       legal_representative_name, legal_representative_rut, start_of_activities, accounting_start_month
                FROM companies WHERE rut IS NOT NULL AND (\(uuid)::uuid IS NULL OR id = \(uuid)) ORDER BY rut COLLATE "C"
                """, logger: self.logger
            ).map { row in
                let cells = row.makeRandomAccess()
                func text(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
                return CompanyRecord(
                    id: try cells[0].decode(String.self), rut: try cells[1].decode(String.self), businessName: try text(2),
                    taxRegime: try text(3), siiActivityName: try text(4), siiActivityCode: try text(5),
                    legalRepresentativeName: try text(6), legalRepresentativeRUT: try text(7), startOfActivities: try text(8),
                    accountingStartMonth: try text(9))
            }
        }
    }

    public func userRecords(id: String?) async throws -> [UserRecord] {
        let uuid = id.flatMap(UUID.init(uuidString:))
        return try await read { connection in
            try await connection.rows(
                """
                SELECT id::text, rut, full_name, email, phone, role FROM profiles
                WHERE rut IS NOT NULL AND (\(uuid)::uuid IS NULL OR id = \(uuid)) ORDER BY rut COLLATE "C"
                """, logger: self.logger
            ).map { row in
                let (id, rut, name, email, phone, role) = try row.decode((String, String, String?, String?, String?, String?).self)
                return UserRecord(id: id, rut: rut, fullName: name, email: email, phone: phone, role: role)
            }
        }
    }

    public func existingOwnerID(_ brain: BrainKind, owner reference: OwnerReference) async throws -> String {
        try await resolve(reference, brain: brain).id
    }

    /// Only these may be removed by a load: other slugs, and agents' memories under builder
    /// slugs, belong to agents.
    public func loaderSlugs(_ brain: BrainKind, slugs: [String], ownerID: String?) async throws -> [String: Set<String>] {
        let uuid = ownerID.flatMap(UUID.init(uuidString:))
        return try await read { connection in
            var result: [String: Set<String>] = [:]
            for row in try await connection.rows(
                """
                SELECT \(unescaped: brain.ownerColumn)::text, slug::text FROM \(unescaped: brain.table)
                WHERE NOT deleted AND source = 'loader' AND slug = ANY(\(slugs))
                  AND (\(uuid)::uuid IS NULL OR \(unescaped: brain.ownerColumn) = \(uuid))
                """, logger: self.logger)
            {
                let (owner, slug) = try row.decode((String, String).self)
                result[owner, default: []].insert(slug)
            }
            return result
        }
    }
}
