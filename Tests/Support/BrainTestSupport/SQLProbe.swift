import Foundation

/// One result row, columns in select order, values as text (NULL as nil, booleans as "1"/"0").
public struct SQLRow: Sendable, Equatable {
    public var columns: [String]
    public var values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of a column by name; nil for NULL or an absent column.
    public subscript(_ name: String) -> String? {
        columns.firstIndex(of: name).flatMap { values[$0] }
    }

    /// A column as an integer.
    public func int(_ name: String) -> Int? { self[name].flatMap { Int($0) } }
}

/// Raw SQL beside a store under test, for what the store API does not show (sync columns, the
/// journal) and for setting up states no API call makes. Statements use `?` placeholders and
/// SQL both stores accept, so one test reads the same on SQLite and PostgreSQL.
public protocol SQLProbe: Sendable {
    func rows(_ sql: String, _ arguments: [String?]) async throws -> [SQLRow]
    func execute(_ sql: String, _ arguments: [String?]) async throws
}

extension SQLProbe {
    public func rows(_ sql: String) async throws -> [SQLRow] { try await rows(sql, []) }
    public func execute(_ sql: String) async throws { try await execute(sql, []) }

    /// The first column of the first row.
    public func scalar(_ sql: String, _ arguments: [String?] = []) async throws -> String? {
        try await rows(sql, arguments).first?.values.first ?? nil
    }

    /// The first column of the first row as an integer (a count).
    public func int(_ sql: String, _ arguments: [String?] = []) async throws -> Int {
        Int(try await scalar(sql, arguments) ?? "") ?? 0
    }

    /// The first column of every row, in order.
    public func column(_ sql: String, _ arguments: [String?] = []) async throws -> [String?] {
        try await rows(sql, arguments).map { $0.values.first ?? nil }
    }

    /// The row of a brain table with this slug, every column.
    public func row(_ table: String, slug: String) async throws -> SQLRow? {
        try await rows("SELECT * FROM \(table) WHERE slug = ?", [slug]).first
    }
}
