import Foundation

/// Reads every live memory in export order (brain, owner RUT, slug) a page at a time from one
/// point in time, so saves during a long export neither appear half-way nor shift the pages.
public protocol MemoryExporting: Sendable {
    /// How many lines the whole export holds (from the same point in time as the pages).
    func count() async throws -> Int
    /// The next lines, or an empty array at the end.
    func nextPage() async throws -> [MemoryExportLine]
}

/// The timestamps an imported memory brings from its export.
public struct ImportedTimestamps: Sendable {
    public var memory: ValidMemory
    /// Set only for memories the import created.
    public var createdAt: String?
    public var updatedAt: String?

    public init(memory: ValidMemory, createdAt: String?, updatedAt: String?) {
        self.memory = memory
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Moving memories in and out: export, import's timestamps, and a consistent copy of the store.
public protocol TransferStore: Sendable {
    /// An exporter over one brain and owner, or everything when nil.
    func makeExporter(brain: BrainKind?, owner: OwnerReference?, rowsPerPage: Int) throws -> any MemoryExporting
    /// Gives memories an import just saved the times of their export, each only while the row
    /// still holds exactly what the import wrote; version and sync state do not change.
    func applyImportedTimestamps(_ groups: [(brain: BrainKind, owner: OwnerReference, items: [ImportedTimestamps])]) async throws
    /// A consistent copy of the whole store at `path` while braind keeps serving. Stores that
    /// have their own tools for it (PostgreSQL: `pg_dump`) refuse with a hint.
    func backup(to path: String, overwrite: Bool) async throws -> BackupReport
}

extension TransferStore {
    public func makeExporter(brain: BrainKind? = nil, owner: OwnerReference? = nil) throws -> any MemoryExporting {
        try makeExporter(brain: brain, owner: owner, rowsPerPage: 1_000)
    }
}
