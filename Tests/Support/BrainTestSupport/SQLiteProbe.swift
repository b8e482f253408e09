import Foundation
import GRDB

/// A second connection to a SQLite store's file (WAL lets it read beside the store's own).
public final class SQLiteProbe: SQLProbe {
    private let queue: DatabaseQueue

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    public func rows(_ sql: String, _ arguments: [String?]) async throws -> [SQLRow] {
        try await queue.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                SQLRow(columns: Array(row.columnNames), values: row.databaseValues.map(Self.text))
            }
        }
    }

    public func execute(_ sql: String, _ arguments: [String?]) async throws {
        try await queue.write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    private static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: nil
        case .int64(let n): String(n)
        case .double(let d): String(d)
        case .string(let s): s
        case .blob(let data): String(decoding: data, as: UTF8.self)
        }
    }
}
