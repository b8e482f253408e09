import BrainCore
import Foundation
import GRDB

extension BrainDatabase {
    /// Imports companies from CSV (header row), a JSON array of objects, or JSON lines, upserting
    /// each by RUT.
    ///
    /// Columns: `rut` and `business_name` (required), `tax_regime`, `sii_activity_name`,
    /// `sii_activity_code`, `legal_representative_name`, `legal_representative_rut`,
    /// `start_of_activities` (`YYYY-MM-DD`), `accounting_start_month` (`YYYY-MM`). A column the file
    /// gives with an empty value (or JSON `null`) clears it; a column the file does not give keeps
    /// its stored value. A company that already exists (for instance created by a memory save with
    /// only its RUT) keeps its id. The import writes owner data only; `loadCompany` and
    /// `loadAllCompanies` turn it into memories.
    /// - Parameters:
    ///   - data: the file's bytes, UTF-8, with or without a byte order mark.
    ///   - format: the format, or nil to detect it from the content.
    ///   - verifyCheckDigit: refuse RUTs whose check digit is wrong (`identity.verify_rut_check_digit`).
    ///   - stop: checked between slices; once requested, the import ends after the current one.
    /// - Returns: the counts and one error per skipped row. The good rows commit in slices of
    ///   about 20 ms (`writeInSlices`), so a large import never holds agents' saves for long.
    /// - Throws: `BrainError.invalid` when the file as a whole is unusable: empty, not UTF-8, an
    ///   unknown or missing required column, a CSV quote never closed, a broken JSON array.
    ///   `BulkWorkStopped` after a stop: the rows of the slices before it are kept.
    public func importCompanies(
        _ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true, stop: StopSignal? = nil
    ) async throws -> ImportResult {
        try await importOwners(
            data, spec: .companies, table: BrainKind.company.ownerTable, format: format, verifyCheckDigit: verifyCheckDigit, stop: stop)
    }

    /// Imports users (the `profiles` table) the same way as `importCompanies`, upserting by RUT.
    ///
    /// Columns: `rut` and `full_name` (required), `email`, `phone`, `role`.
    public func importUsers(
        _ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true, stop: StopSignal? = nil
    ) async throws -> ImportResult {
        try await importOwners(
            data, spec: .users, table: BrainKind.user.ownerTable, format: format, verifyCheckDigit: verifyCheckDigit, stop: stop)
    }

    /// Imports sessions: which user has a session with which company.
    ///
    /// Columns: `user_rut` and `company_rut` (required), `is_active` (`true`/`false`, `1`/`0`,
    /// `sí`/`no`; empty or absent means true). Both owners must already exist: import companies and
    /// users first. A row naming an unknown owner is reported and skipped.
    public func importSessions(
        _ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true, stop: StopSignal? = nil
    ) async throws -> ImportResult {
        let source = try ImportSource.read(data, format: format, columns: OwnerImport.sessions.columns.map(\.name))
        let (rows, errors) = try OwnerImport.sessions.validate(source, verifyCheckDigit: verifyCheckDigit)
        guard !rows.isEmpty else { return ImportResult(format: source.format, errors: errors) }
        let outcomes = try await writeInSlices(rows, work: "import of sessions", stop: stop, advice: Self.importAdvice) { row, db in
            do {
                return (try Self.upsertSession(row, in: db), nil) as (SaveStatus?, ImportRowError?)
            } catch let problem as OwnerImport.Problem {
                return (nil, ImportRowError(line: row.line, item: row.item, reason: problem.reason))
            }
        }
        let statuses = outcomes.compactMap(\.0)
        let lateErrors = outcomes.compactMap(\.1)
        return ImportResult(format: source.format, statuses: statuses, errors: errors + lateErrors)
    }

    /// What to do after an import stopped at shutdown.
    private static let importAdvice = "import the file again once braind is back: rows are upserted, so repeating is safe"

    // MARK: - Owners

    private func importOwners(
        _ data: Data, spec: OwnerImport, table: String, format: ImportFormat?, verifyCheckDigit: Bool, stop: StopSignal?
    ) async throws -> ImportResult {
        // Reading and validation need no database, so they run before the write lock is taken.
        let source = try ImportSource.read(data, format: format, columns: spec.columns.map(\.name))
        let (rows, errors) = try spec.validate(source, verifyCheckDigit: verifyCheckDigit)
        guard !rows.isEmpty else { return ImportResult(format: source.format, errors: errors) }
        let statuses = try await writeInSlices(rows, work: "import of \(table)", stop: stop, advice: Self.importAdvice) { row, db in
            try Self.upsertOwner(row, table: table, in: db)
        }
        return ImportResult(format: source.format, statuses: statuses, errors: errors)
    }

    /// Inserts or updates one owner row by RUT inside the caller's transaction. Only the columns
    /// the row gives are written; an identical row writes nothing, not even `updated_at`.
    private static func upsertOwner(_ row: OwnerImport.Row, table: String, in db: Database) throws -> SaveStatus {
        guard let rut = row.value("rut") else { throw BrainError.invalid(field: "rut", reason: "is required") }
        let data = row.values.filter { $0.column != "rut" }
        let now = Timestamp.now()
        guard let existing = try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE rut = ?", arguments: [rut]) else {
            let columns = ["id", "rut"] + data.map(\.column) + ["created_at", "updated_at"]
            let values: [(any DatabaseValueConvertible)?] = [TimeOrderedID.make(), rut] + data.map(\.value) + [now, now]
            try db.execute(
                sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count)))",
                arguments: StatementArguments(values))
            return .created
        }
        let changed = data.filter { (existing[$0.column] as String?) != $0.value }
        guard !changed.isEmpty else { return .unchanged }
        let assignments = changed.map { "\($0.column) = ?" } + ["updated_at = ?"]
        let values: [(any DatabaseValueConvertible)?] = changed.map(\.value) + [now, existing["id"] as String]
        try db.execute(
            sql: "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE id = ?",
            arguments: StatementArguments(values))
        return .updated
    }

    // MARK: - Sessions

    /// Inserts or updates one session inside the caller's transaction.
    /// - Throws: `OwnerImport.Problem` when an owner is unknown; the caller reports the row.
    private static func upsertSession(_ row: OwnerImport.Row, in db: Database) throws -> SaveStatus {
        guard let userRUT = row.value("user_rut"), let companyRUT = row.value("company_rut") else {
            throw OwnerImport.Problem(reason: "user_rut, company_rut: are required")
        }
        let isActive = row.value("is_active") != "0"
        guard let userID = try String.fetchOne(db, sql: "SELECT id FROM profiles WHERE rut = ?", arguments: [userRUT]) else {
            throw OwnerImport.Problem(reason: "user_rut: no user with RUT \(userRUT); import users first")
        }
        guard let companyID = try String.fetchOne(db, sql: "SELECT id FROM companies WHERE rut = ?", arguments: [companyRUT]) else {
            throw OwnerImport.Problem(reason: "company_rut: no company with RUT \(companyRUT); import companies first")
        }
        let now = Timestamp.now()
        let existing = try Bool.fetchOne(
            db, sql: "SELECT is_active FROM sessions WHERE user_id = ? AND company_id = ?", arguments: [userID, companyID])
        switch existing {
        case nil:
            try db.execute(
                sql: "INSERT INTO sessions (user_id, company_id, is_active, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [userID, companyID, isActive, now])
            return .created
        case isActive:
            return .unchanged
        default:
            try db.execute(
                sql: "UPDATE sessions SET is_active = ?, updated_at = ? WHERE user_id = ? AND company_id = ?",
                arguments: [isActive, now, userID, companyID])
            return .updated
        }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

extension ImportResult {
    /// Counts the written rows' statuses.
    init(format: ImportFormat, statuses: [SaveStatus], errors: [ImportRowError]) {
        self.init(
            format: format, created: statuses.count { $0 == .created }, updated: statuses.count { $0 == .updated },
            unchanged: statuses.count { $0 == .unchanged }, errors: errors)
    }
}
