import Foundation

/// What one import reads: its columns, which of them identify a row, and how each value is
/// checked. The three imports (companies, users, sessions) are rows of this table, so a new column
/// is one line here.
public struct OwnerImport: Sendable {
    /// How a column's text is checked and normalized.
    public enum Kind: Sendable {
        /// Free text, trimmed, at most `maxFieldLength` characters.
        case text
        /// A RUT, stored normalized (`123456785`).
        case rut
        /// A calendar date, `YYYY-MM-DD`.
        case date
        /// A month, `YYYY-MM`.
        case month
        /// An email address (one `@`, a dot in the domain, no spaces).
        case email
        /// Digits only, such as an SII activity code.
        case digits
        /// A yes/no flag: `true`/`false`, `1`/`0`, `yes`/`no`, `sí`/`si`; stored as `1`/`0`.
        case flag
    }

    /// One column: its name in files (the table column's name), its kind, and whether every row
    /// must give it a value.
    public struct Column: Sendable {
        public var name: String
        public var kind: Kind
        public var required = false
    }

    /// What the rows are, for messages: `company`, `user`, `session`.
    public var noun: String
    public var columns: [Column]
    /// The columns whose values identify a row; a second row with the same values is a duplicate.
    public var key: [String]

    /// Longest accepted text value. Far below the memory content limit, so a builder can never
    /// produce a memory that fails validation, and far above any real name or regime.
    public static let maxFieldLength = 1_000

    public static let companies = OwnerImport(
        noun: "company",
        columns: [
            Column(name: "rut", kind: .rut, required: true),
            Column(name: "business_name", kind: .text, required: true),
            Column(name: "tax_regime", kind: .text),
            Column(name: "sii_activity_name", kind: .text),
            Column(name: "sii_activity_code", kind: .digits),
            Column(name: "legal_representative_name", kind: .text),
            Column(name: "legal_representative_rut", kind: .rut),
            Column(name: "start_of_activities", kind: .date),
            Column(name: "accounting_start_month", kind: .month),
        ],
        key: ["rut"])

    public static let users = OwnerImport(
        noun: "user",
        columns: [
            Column(name: "rut", kind: .rut, required: true),
            Column(name: "full_name", kind: .text, required: true),
            Column(name: "email", kind: .email),
            Column(name: "phone", kind: .text),
            Column(name: "role", kind: .text),
        ],
        key: ["rut"])

    public static let sessions = OwnerImport(
        noun: "session",
        columns: [
            Column(name: "user_rut", kind: .rut, required: true),
            Column(name: "company_rut", kind: .rut, required: true),
            Column(name: "is_active", kind: .flag),
        ],
        key: ["user_rut", "company_rut"])

    /// A row that passed validation.
    public struct Row: Sendable {
        public var line: Int
        public var item: Int?
        /// The columns the row gives, in table order. A nil value clears the column; a column the
        /// row does not give is absent and stays as it is in the database.
        public var values: [(column: String, value: String?)]

        /// The value of a column, nil when absent or cleared.
        public func value(_ column: String) -> String? {
            values.first { $0.column == column }?.value ?? nil
        }
    }

    /// Why one row is refused: `column: reason`.
    public struct Problem: Error, Sendable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    /// Validates every row of a file: the good rows in file order, and one error per bad row.
    /// - Throws: `BrainError.invalid` when the CSV header lacks a required column: every row would fail.
    public func validate(_ source: ImportSource, verifyCheckDigit: Bool) throws(BrainError) -> (rows: [Row], errors: [ImportRowError]) {
        if let header = source.header, let missing = columns.first(where: { $0.required && !header.contains($0.name) }) {
            throw .invalid(field: missing.name, reason: "required column is missing from the header row")
        }
        var rows: [Row] = []
        var errors: [ImportRowError] = []
        var firstSeen: [[String]: SourceRow] = [:]
        for sourceRow in source.rows {
            do throws(Problem) {
                let row = try validate(sourceRow, verifyCheckDigit: verifyCheckDigit)
                let identity = key.map { row.value($0) ?? "" }
                if let first = firstSeen[identity] {
                    let what = key == ["rut"] ? "RUT \(identity[0])" : "\(noun) " + identity.joined(separator: " / ")
                    throw Problem(reason: "\(key.joined(separator: ", ")): duplicate \(what), already on \(Self.location(first))")
                }
                firstSeen[identity] = sourceRow
                rows.append(row)
            } catch {
                errors.append(ImportRowError(line: sourceRow.line, item: sourceRow.item, reason: error.reason))
            }
        }
        return (rows, errors)
    }

    /// Validates one row: every column it gives, and the presence of the required ones.
    public func validate(_ row: SourceRow, verifyCheckDigit: Bool) throws(Problem) -> Row {
        if let problem = row.problem { throw Problem(reason: problem) }
        var values: [(column: String, value: String?)] = []
        for column in columns {
            guard let raw = row.fields[column.name] else {
                if column.required { throw Problem(reason: "\(column.name): is required") }
                continue
            }
            values.append((column.name, try column.normalize(raw, verifyCheckDigit: verifyCheckDigit)))
        }
        return Row(line: row.line, item: row.item, values: values)
    }

    /// `line 3`, or `item 2 (line 5)` in a JSON array.
    public static func location(_ row: SourceRow) -> String {
        row.item.map { "item \($0) (line \(row.line))" } ?? "line \(row.line)"
    }
}

extension OwnerImport.Column {
    /// The value to store for `raw`: nil clears the column.
    public func normalize(_ raw: String, verifyCheckDigit: Bool) throws(OwnerImport.Problem) -> String? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        func refuse(_ reason: String) -> OwnerImport.Problem { OwnerImport.Problem(reason: "\(name): \(reason)") }
        guard !text.isEmpty else {
            if required { throw refuse("is required") }
            return kind == .flag ? "1" : nil  // an empty flag takes its default: active
        }
        guard text.count <= OwnerImport.maxFieldLength else {
            throw refuse("at most \(OwnerImport.maxFieldLength) characters")
        }
        switch kind {
        case .text:
            return text
        case .rut:
            do {
                return try RUT(text, verifyCheckDigit: verifyCheckDigit).normalized
            } catch {
                throw refuse(error.description)
            }
        case .date:
            guard DateText.isDate(text) else { throw refuse("'\(text)' is not a date in YYYY-MM-DD form") }
            return text
        case .month:
            guard DateText.isMonth(text) else { throw refuse("'\(text)' is not a month in YYYY-MM form") }
            return text
        case .email:
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
                !parts[1].hasSuffix("."), !text.contains(where: \.isWhitespace)
            else { throw refuse("'\(text)' is not an email address") }
            return text
        case .digits:
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw refuse("'\(text)' must be digits only, like the SII code 471000")
            }
            return text
        case .flag:
            switch text.lowercased() {
            case "true", "1", "yes", "y", "sí", "si", "s": return "1"
            case "false", "0", "no", "n": return "0"
            default: throw refuse("'\(text)' is not true or false")
            }
        }
    }
}

/// Checks of the date texts the schema stores: `YYYY-MM-DD` and `YYYY-MM`, real calendar values.
public enum DateText {
    /// A real date such as `2020-03-15` (so `2023-02-29` is refused, `2024-02-29` accepted).
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 2, let (year, month) = yearMonth(parts[0], parts[1]),
            parts[2].allSatisfy({ $0.isASCII && $0.isNumber }), let day = Int(parts[2])
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// A month such as `2021-01`.
    public static func isMonth(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && yearMonth(parts[0], parts[1]) != nil
    }

    private static func yearMonth(_ year: Substring, _ month: Substring) -> (Int, Int)? {
        guard year.count == 4, month.count == 2, (year + month).allSatisfy({ $0.isASCII && $0.isNumber }),
            let yearValue = Int(year), let monthValue = Int(month), yearValue >= 1, (1...12).contains(monthValue)
        else { return nil }
        return (yearValue, monthValue)
    }
}
