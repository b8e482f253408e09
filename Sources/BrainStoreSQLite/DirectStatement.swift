import GRDB
import GRDBSQLite

/// A statement that GRDB prepares, caches and invalidates, bound, stepped and read through
/// SQLite's C API: the save path's statements, which run for every save on the one writer.
///
/// Why: through GRDB's `execute(arguments:)` and `Row` those statements cost 2.5 times what the
/// same SQL costs from C (thread CPU clocks around each, one save per transaction: owner look-up
/// and insert 31 us against 7, the row's look-up 10 against 1.5, its insert 48 against 27, the
/// journal's 12 against 4; `bench/sqlite_floor.c` is the C side). The difference is per call:
/// arguments boxed as `DatabaseValueConvertible` existentials, rows materialized and read by
/// column name, region recording and observation bookkeeping. braind registers no transaction
/// observers, so skipping that bookkeeping loses nothing; a schema change still reprepares the
/// statement (SQLite does, for `sqlite3_prepare_v3` statements), and failures still surface as
/// `DatabaseError`, so `BrainDatabase.storageError` maps them as before.
///
/// Use within one database access, like GRDB's `Statement`: every run ends with a reset, so the
/// cached statement is left as GRDB expects it.
struct DirectStatement {
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection
    private let sql: String

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "connection is closed") }
        self.handle = try db.cachedStatement(sql: sql).sqliteStatement
        self.connection = connection
        self.sql = sql
    }

    /// Binds text (nil as NULL) to the parameter at `position`, counted from 1.
    func bind(_ position: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, position)
            return
        }
        value.withUTF8 { bytes in
            // SQLITE_TRANSIENT: SQLite copies the bytes, which live only inside this closure.
            _ = sqlite3_bind_text(handle, position, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    /// Binds an integer (nil as NULL) to the parameter at `position`, counted from 1.
    func bind(_ position: Int32, _ value: Int?) {
        guard let value else {
            sqlite3_bind_null(handle, position)
            return
        }
        sqlite3_bind_int64(handle, position, Int64(value))
    }

    /// Binds `values` as text (nil as NULL) to the parameters `from`, `from` + 1, …
    func bind(_ values: String?..., from first: Int32 = 1) {
        bind(values, from: first)
    }

    /// Binds `values` as text to the parameters 1, 2, …, runs the statement to its end and resets it.
    func execute(_ values: String?...) throws {
        bind(values, from: 1)
        try execute()
    }

    /// Runs the statement, bound beforehand, to its end and resets it.
    func execute() throws {
        defer { reset() }
        while try step() {}
    }

    /// Binds `values` as text to the parameters 1, 2, …, and reads the first row, if any, with
    /// `read`; the statement is reset afterwards.
    func fetchFirst<T>(_ values: String?..., read: (DirectStatement) throws -> T) throws -> T? {
        bind(values, from: 1)
        defer { reset() }
        return try step() ? try read(self) : nil
    }

    /// The current row's column `index` (from 0) as text; NULL reads as "" (NOT NULL columns).
    func string(_ index: Int32) -> String {
        text(index) ?? ""
    }

    /// The current row's column `index` (from 0) as text, nil for NULL.
    func text(_ index: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, index) else { return nil }
        // By length, not up to the first NUL: text may hold U+0000.
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, index))), as: UTF8.self)
    }

    /// The current row's column `index` (from 0) as an integer (0 for NULL, as SQLite reads it).
    func integer(_ index: Int32) -> Int {
        Int(sqlite3_column_int64(handle, index))
    }

    private func bind(_ values: [String?], from first: Int32) {
        for (position, value) in zip(first..., values) { bind(position, value) }
    }

    /// Advances to the next row: true while there is one, false once the statement is done.
    private func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
    }

    private func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    }
}
