import BrainCore
import Foundation
import GRDB

extension BrainDatabase: BrainStore {
    public var storeDescription: StoreDescription {
        StoreDescription(kind: "sqlite", version: Self.sqliteVersion, location: path ?? ":memory:")
    }

    /// A SQLite file has no roles to read under: the route's scope check is the only guard, and
    /// a user token reads what the daemon reads.
    public func reads(asUser userRUT: String) -> any MemoryReads { self }

    /// A SQLite file has one daemon (its lock file): no cluster to show.
    public func liveDaemons() async throws -> [ClusterMember]? { nil }

    public func storageBytes() async throws -> [String: Int] {
        guard let path else { return [:] }
        var bytes: [String: Int] = [:]
        let index = Self.searchIndexPath(of: path)
        for (part, file) in [("database", path), ("wal", path + "-wal"), ("search_index", index), ("search_index_wal", index + "-wal")] {
            bytes[part] = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        }
        return bytes
    }

    /// The SQLite library braind is linked with (GRDB's system SQLite on Linux).
    static let sqliteVersion: String = {
        (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? "unknown"
    }()
}
