import Foundation

/// Progress of a load-all: `(done, total)` owners. Called once with `(0, total)` before the
/// first owner and once after each owner, on the loading task.
public typealias LoadProgress = @Sendable (_ done: Int, _ total: Int) -> Void

/// Owners (companies, users, sessions) and the loaders that turn owner data into memories: the
/// seed's `load_*_memories` tasks and its owner tables.
public protocol OwnerStore: Sendable {
    /// Upserts companies by RUT from CSV, a JSON array or JSON lines (see `OwnerImport`).
    func importCompanies(_ data: Data, format: ImportFormat?, verifyCheckDigit: Bool, stop: StopSignal?) async throws -> ImportResult
    /// Upserts users (`profiles`) by RUT.
    func importUsers(_ data: Data, format: ImportFormat?, verifyCheckDigit: Bool, stop: StopSignal?) async throws -> ImportResult
    /// Upserts sessions between existing users and companies.
    func importSessions(_ data: Data, format: ImportFormat?, verifyCheckDigit: Bool, stop: StopSignal?) async throws -> ImportResult
    /// Loads one owner's memories from its owner row (`MemoryBuilders`).
    func load(_ brain: BrainKind, owner: OwnerReference) async throws -> LoadResult
    /// Loads every company, in RUT order; failures are counted and the others go on.
    func loadAllCompanies(progress: LoadProgress?, stop: StopSignal?) async throws -> LoadAllCompaniesResult
    /// Loads every user, the twin of `loadAllCompanies`.
    func loadAllUsers(progress: LoadProgress?, stop: StopSignal?) async throws -> LoadAllUsersResult
    /// Whether a user has an active session with a company (the seed's rule for company brains).
    func hasActiveSession(userRUT: String, companyRUT: String) async throws -> Bool
}

extension OwnerStore {
    public func importCompanies(_ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true) async throws -> ImportResult {
        try await importCompanies(data, format: format, verifyCheckDigit: verifyCheckDigit, stop: nil)
    }

    public func importUsers(_ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true) async throws -> ImportResult {
        try await importUsers(data, format: format, verifyCheckDigit: verifyCheckDigit, stop: nil)
    }

    public func importUsers(_ data: Data, stop: StopSignal) async throws -> ImportResult {
        try await importUsers(data, format: nil, verifyCheckDigit: true, stop: stop)
    }

    public func importSessions(_ data: Data, format: ImportFormat? = nil, verifyCheckDigit: Bool = true) async throws -> ImportResult {
        try await importSessions(data, format: format, verifyCheckDigit: verifyCheckDigit, stop: nil)
    }

    public func loadCompany(_ owner: OwnerReference) async throws -> LoadResult { try await load(.company, owner: owner) }
    public func loadUser(_ owner: OwnerReference) async throws -> LoadResult { try await load(.user, owner: owner) }

    public func loadAllCompanies(progress: LoadProgress? = nil) async throws -> LoadAllCompaniesResult {
        try await loadAllCompanies(progress: progress, stop: nil)
    }

    public func loadAllUsers(progress: LoadProgress? = nil) async throws -> LoadAllUsersResult {
        try await loadAllUsers(progress: progress, stop: nil)
    }
}
