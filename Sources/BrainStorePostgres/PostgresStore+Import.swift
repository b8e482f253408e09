import BrainCore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Imports companies (CSV, a JSON array or JSON lines), upserting each by RUT; the parsing
    /// and validation are `OwnerImport`'s, shared with the SQLite store.
    public func importCompanies(
        _ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true, stop: StopSignal? = nil
    ) async throws -> ImportResult {
        try await importOwners(data, spec: .companies, table: BrainKind.company.ownerTable, format: format, verifyCheckDigit: verifyCheckDigit, stop: stop)
    }

    /// Imports users (the `profiles` table) the same way, upserting by RUT.
    public func importUsers(
        _ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true, stop: StopSignal? = nil
    ) async throws -> ImportResult {
        try await importOwners(data, spec: .users, table: BrainKind.user.ownerTable, format: format, verifyCheckDigit: verifyCheckDigit, stop: stop)
    }

    /// Imports sessions between existing users and companies; a row naming an unknown owner is
    /// reported and skipped.
    public func importSessions(
        _ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true, stop: StopSignal? = nil
    ) async throws -> ImportResult {
        let source = try ImportSource.read(data, format: format, columns: OwnerImport.sessions.columns.map(\.name))
        let (rows, errors) = try OwnerImport.sessions.validate(source, verifyCheckDigit: verifyCheckDigit)
        guard !rows.isEmpty else { return ImportResult(format: source.format, errors: errors) }
        let outcomes = try await inSlices(rows, work: "import of sessions", stop: stop) { row, connection in
            do {
                return (try await self.upsertSession(row, on: connection), nil) as (SaveStatus?, ImportRowError?)
            } catch let problem as OwnerImport.Problem {
                return (nil, ImportRowError(line: row.line, item: row.item, reason: problem.reason))
            }
        }
        return Self.importResult(source.format, outcomes.compactMap(\.0), errors + outcomes.compactMap(\.1))
    }

    private static let importAdvice = "import the file again once braind is back: rows are upserted, so repeating is safe"

    /// Rows per transaction: a slice holds its rows' locks only for its own few milliseconds, so
    /// agents' saves interleave with a long import, and a stop keeps the slices before it.
    private static let importSlice = 200

    private func inSlices<Output: Sendable>(
        _ rows: [OwnerImport.Row], work: String, stop: StopSignal?,
        _ write: @escaping @Sendable (OwnerImport.Row, PostgresConnection) async throws -> Output
    ) async throws -> [Output] {
        var outputs: [Output] = []
        while outputs.count < rows.count {
            if stop?.isRequested == true {
                throw BulkWorkStopped(work: work, done: outputs.count, total: rows.count, advice: Self.importAdvice)
            }
            let slice = Array(rows[outputs.count..<min(rows.count, outputs.count + Self.importSlice)])
            outputs += try await transaction(retryConflicts: true) { connection in
                var written: [Output] = []
                for row in slice { written.append(try await write(row, connection)) }
                return written
            }
        }
        return outputs
    }

    private static func importResult(_ format: ImportFormat, _ statuses: [SaveStatus], _ errors: [ImportRowError]) -> ImportResult {
        ImportResult(
            format: format, created: statuses.count { $0 == .created }, updated: statuses.count { $0 == .updated },
            unchanged: statuses.count { $0 == .unchanged }, errors: errors)
    }

    private func importOwners(
        _ data: Data, spec: OwnerImport, table: String, format: ImportFormat?, verifyCheckDigit: Bool, stop: StopSignal?
    ) async throws -> ImportResult {
        let source = try ImportSource.read(data, format: format, columns: spec.columns.map(\.name))
        let (rows, errors) = try spec.validate(source, verifyCheckDigit: verifyCheckDigit)
        guard !rows.isEmpty else { return ImportResult(format: source.format, errors: errors) }
        let known = Set(spec.columns.map(\.name))
        let statuses = try await inSlices(rows, work: "import of \(table)", stop: stop) { row, connection in
            try await self.upsertOwner(row, table: table, known: known, on: connection)
        }
        return Self.importResult(source.format, statuses, errors)
    }

    /// Inserts or updates one owner row by RUT. Only the columns the row gives are written; an
    /// identical row writes nothing, not even `updated_at`.
    private func upsertOwner(_ row: OwnerImport.Row, table: String, known: Set<String>, on connection: PostgresConnection) async throws -> SaveStatus {
        guard let rut = row.value("rut") else { throw BrainError.invalid(field: "rut", reason: "is required") }
        // Column names come from the import's fixed list, never from the file's text.
        let data = row.values.filter { $0.column != "rut" && known.contains($0.column) }
        let columns = data.map(\.column)
        let values = data.map { $0.value ?? "" }
        let isNull = data.map { $0.value == nil }
        let inserted = try await connection.rows(
            """
            INSERT INTO \(unescaped: table) (rut) VALUES (\(rut)) ON CONFLICT (rut) DO NOTHING RETURNING id
            """, logger: logger)
        // One statement sets exactly the given columns from parallel arrays (a column with an
        // empty value clears it) and reports whether anything differed.
        let assignments = columns.enumerated().map { index, column in
            "\(column) = CASE WHEN ($3::boolean[])[\(index + 1)] THEN NULL ELSE ($2::text[])[\(index + 1)] END"
        }
        let differs = columns.enumerated().map { index, column in
            "\(column) IS DISTINCT FROM CASE WHEN ($3::boolean[])[\(index + 1)] THEN NULL ELSE ($2::text[])[\(index + 1)] END"
        }
        var changed = 0
        if !columns.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(rut)
            bindings.append(values)
            bindings.append(isNull)
            changed = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE \(table) SET \(assignments.joined(separator: ", ")), updated_at = now()
                        WHERE rut = $1 AND (\(differs.joined(separator: " OR ")))
                        RETURNING 1
                        """,
                    binds: bindings),
                logger: logger
            ).collect().count
        }
        if !inserted.isEmpty { return .created }
        return changed > 0 ? .updated : .unchanged
    }

    /// Inserts or updates one session.
    /// - Throws: `OwnerImport.Problem` when an owner is unknown; the caller reports the row.
    private func upsertSession(_ row: OwnerImport.Row, on connection: PostgresConnection) async throws -> SaveStatus {
        guard let userRUT = row.value("user_rut"), let companyRUT = row.value("company_rut") else {
            throw OwnerImport.Problem(reason: "user_rut, company_rut: are required")
        }
        let isActive = row.value("is_active") != "0"
        guard let userID = try await connection.rows("SELECT id FROM profiles WHERE rut = \(userRUT)", logger: logger).first?.decode(UUID.self) else {
            throw OwnerImport.Problem(reason: "user_rut: no user with RUT \(userRUT); import users first")
        }
        guard let companyID = try await connection.rows("SELECT id FROM companies WHERE rut = \(companyRUT)", logger: logger).first?.decode(UUID.self) else {
            throw OwnerImport.Problem(reason: "company_rut: no company with RUT \(companyRUT); import companies first")
        }
        let existing = try await connection.rows(
            "SELECT is_active FROM sessions WHERE user_id = \(userID) AND company_id = \(companyID) FOR UPDATE", logger: logger
        ).first?.decode(Bool.self)
        switch existing {
        case nil:
            try await connection.execute(
                """
                INSERT INTO sessions (user_id, company_id, is_active) VALUES (\(userID), \(companyID), \(isActive))
                ON CONFLICT (user_id, company_id) DO UPDATE SET is_active = excluded.is_active, updated_at = now()
                """, logger: logger)
            return .created
        case isActive:
            return .unchanged
        default:
            try await connection.execute(
                "UPDATE sessions SET is_active = \(isActive), updated_at = now() WHERE user_id = \(userID) AND company_id = \(companyID)",
                logger: logger)
            return .updated
        }
    }
}
