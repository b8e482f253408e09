import BrainCore
import Foundation
import Logging
import PostgresNIO

/// Raw SQL on its own connection to a PostgreSQL store's database, for tests. `?` placeholders
/// become quoted literals, not binds: a literal takes the type its context needs (uuid,
/// timestamptz, boolean), where a bound Swift String would be text and fail to compare.
public final class PostgresSQLProbe: SQLProbe {
    private let url: PostgresURL
    private static let logger = Logger(label: "braind.tests.sql")

    public init(url: PostgresURL) {
        self.url = url
    }

    public func rows(_ sql: String, _ arguments: [String?]) async throws -> [SQLRow] {
        try await PostgresAdmin.withConnection(url) { connection in
            var rows: [SQLRow] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: Self.inline(sql, arguments)), logger: Self.logger) {
                var columns: [String] = []
                var values: [String?] = []
                for cell in row {
                    columns.append(cell.columnName)
                    values.append(try Self.text(cell))
                }
                rows.append(SQLRow(columns: columns, values: values))
            }
            return rows
        }
    }

    public func execute(_ sql: String, _ arguments: [String?]) async throws {
        _ = try await PostgresAdmin.withConnection(url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: Self.inline(sql, arguments)), logger: Self.logger)
        }
    }

    /// Replaces each `?` outside quotes with the next argument as a SQL literal.
    static func inline(_ sql: String, _ arguments: [String?]) -> String {
        var output = ""
        var remaining = arguments[...]
        var inQuote = false
        for character in sql {
            if character == "'" { inQuote.toggle() }
            if character == "?" && !inQuote, let argument = remaining.popFirst() {
                output += argument.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
            } else {
                output.append(character)
            }
        }
        return output
    }

    /// A cell as the SQLite probe would show it: booleans as 1/0, times as braind's timestamps.
    private static func text(_ cell: PostgresCell) throws -> String? {
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .bool: return try cell.decode(Bool.self) ? "1" : "0"
        case .int2, .int4, .int8: return String(try cell.decode(Int.self))
        case .float4, .float8, .numeric: return String(try cell.decode(Double.self))
        case .uuid: return try cell.decode(UUID.self).uuidString.lowercased()
        case .timestamptz, .timestamp: return Timestamp.string(from: try cell.decode(Date.self))
        case .jsonb, .json:
            var buffer = cell.bytes!
            if cell.dataType == .jsonb, cell.format == .binary { buffer.moveReaderIndex(forwardBy: 1) }
            return buffer.readString(length: buffer.readableBytes)
        default: return try cell.decode(String.self)
        }
    }
}
