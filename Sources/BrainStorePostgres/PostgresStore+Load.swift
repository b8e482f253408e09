import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Loads the memories of one owner from its owner row (`MemoryBuilders`), with the SQLite
    /// store's rules: builder memories go through `save`; a builder memory whose field is now
    /// empty is removed only if a load wrote it; other slugs are never touched.
    /// - Throws: `BrainError.ownerNotFound` for an unknown owner (a load never creates one).
    public func load(_ brain: BrainKind, owner reference: OwnerReference) async throws -> LoadResult {
        switch brain {
        case .company:
            let (record, live) = try await read { connection in
                let owner = try await Self.resolve(reference, brain: .company, create: false, on: connection, logger: self.logger)
                let record = try await self.companies(id: owner.id, on: connection).first
                guard let record else { throw BrainError.ownerNotFound(brain: .company, owner: reference.description) }
                return (record, try await self.loaderSlugs(CompanyRecord.self, ownerID: owner.id, on: connection)[owner.id] ?? [])
            }
            return try await apply(record, liveSlugs: live)
        case .user:
            let (record, live) = try await read { connection in
                let owner = try await Self.resolve(reference, brain: .user, create: false, on: connection, logger: self.logger)
                let record = try await self.users(id: owner.id, on: connection).first
                guard let record else { throw BrainError.ownerNotFound(brain: .user, owner: reference.description) }
                return (record, try await self.loaderSlugs(UserRecord.self, ownerID: owner.id, on: connection)[owner.id] ?? [])
            }
            return try await apply(record, liveSlugs: live)
        }
    }

    /// Loads every company, one after another, in RUT order; a company whose load fails is
    /// counted and the others go on. A stop ends it after the current owner.
    public func loadAllCompanies(progress: LoadProgress? = nil, stop: StopSignal? = nil) async throws -> LoadAllCompaniesResult {
        let (records, live) = try await read { connection in
            (try await self.companies(id: nil, on: connection), try await self.loaderSlugs(CompanyRecord.self, ownerID: nil, on: connection))
        }
        return LoadAllCompaniesResult(try await loadAll(records, live: live, progress: progress, stop: stop))
    }

    /// Loads every user, the twin of `loadAllCompanies`.
    public func loadAllUsers(progress: LoadProgress? = nil, stop: StopSignal? = nil) async throws -> LoadAllUsersResult {
        let (records, live) = try await read { connection in
            (try await self.users(id: nil, on: connection), try await self.loaderSlugs(UserRecord.self, ownerID: nil, on: connection))
        }
        return LoadAllUsersResult(try await loadAll(records, live: live, progress: progress, stop: stop))
    }

    private func loadAll<Record: LoadableOwner>(
        _ records: [Record], live: [String: Set<String>], progress: LoadProgress?, stop: StopSignal?
    ) async throws -> LoadAllSummary {
        var summary = LoadAllSummary(total: records.count)
        progress?(0, records.count)
        for (index, record) in records.enumerated() {
            try Task.checkCancellation()
            if stop?.isRequested == true {
                throw BulkWorkStopped(
                    work: "load of every \(Record.brain.rawValue)", done: index, total: records.count,
                    advice: "run the load again once braind is back: what was loaded is kept and unchanged owners are skipped")
            }
            do {
                summary.add(try await apply(record, liveSlugs: live[record.id] ?? []), brain: Record.brain, rut: record.rut)
            } catch let error as BrainError {
                if case .storageUnavailable = error { throw error }
                summary.failed += 1
                summary.errors.append("\(Record.brain.rawValue) \(record.rut): \(error.description)")
            }
            progress?(index + 1, records.count)
        }
        return summary
    }

    /// Saves the present fields' memories and deletes the loader's memories whose field is empty,
    /// through the save and delete paths, so versions, events and sync states follow their rules.
    private func apply<Record: LoadableOwner>(_ record: Record, liveSlugs: Set<String>) async throws -> LoadResult {
        let plan = MemoryBuilders.plan(Record.builders, for: record)
        let reference: OwnerReference = if let uuid = UUID(uuidString: record.id) {
            .id(uuid)
        } else {
            .rut(try RUT(record.rut, verifyCheckDigit: false))
        }
        let saved = plan.memories.isEmpty
            ? nil : try await save(Record.brain, owner: reference, memories: plan.memories, source: "loader")
        var removed: [DeleteResult] = []
        for slug in plan.emptySlugs where liveSlugs.contains(slug) {
            if let result = try await deleteLoaderMemory(Record.brain, ownerID: record.id, slug: slug) {
                removed.append(result)
            }
        }
        return LoadResult(save: saved, removed: removed)
    }

    private func companies(id: String?, on connection: PostgresConnection) async throws -> [CompanyRecord] {
        let uuid = id.flatMap(UUID.init(uuidString:))
        return try await connection.rows(
            """
            SELECT id::text, rut, business_name, tax_regime, sii_activity_name, sii_activity_code,
                   legal_representative_name, legal_representative_rut, start_of_activities, accounting_start_month
            FROM companies WHERE rut IS NOT NULL AND (\(uuid)::uuid IS NULL OR id = \(uuid)) ORDER BY rut COLLATE "C"
            """, logger: logger
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

    private func users(id: String?, on connection: PostgresConnection) async throws -> [UserRecord] {
        let uuid = id.flatMap(UUID.init(uuidString:))
        return try await connection.rows(
            """
            SELECT id::text, rut, full_name, email, phone, role FROM profiles
            WHERE rut IS NOT NULL AND (\(uuid)::uuid IS NULL OR id = \(uuid)) ORDER BY rut COLLATE "C"
            """, logger: logger
        ).map { row in
            let (id, rut, name, email, phone, role) = try row.decode((String, String, String?, String?, String?, String?).self)
            return UserRecord(id: id, rut: rut, fullName: name, email: email, phone: phone, role: role)
        }
    }

    /// The live builder-slug memories the loader wrote, by owner id, for one owner or all.
    private func loaderSlugs<Record: LoadableOwner>(
        _ type: Record.Type, ownerID: String?, on connection: PostgresConnection
    ) async throws -> [String: Set<String>] {
        let brain = Record.brain
        let uuid = ownerID.flatMap(UUID.init(uuidString:))
        var result: [String: Set<String>] = [:]
        for row in try await connection.rows(
            """
            SELECT \(unescaped: brain.ownerColumn)::text, slug::text FROM \(unescaped: brain.table)
            WHERE NOT deleted AND source = 'loader' AND slug = ANY(\(Record.builders.map(\.slug)))
              AND (\(uuid)::uuid IS NULL OR \(unescaped: brain.ownerColumn) = \(uuid))
            """, logger: logger)
        {
            let (owner, slug) = try row.decode((String, String).self)
            result[owner, default: []].insert(slug)
        }
        return result
    }
}
