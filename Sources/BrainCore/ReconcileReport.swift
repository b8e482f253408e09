/// Drift classes a reconcile run looks for, with their default repair.
public enum DriftClass: String, Sendable, Codable, CaseIterable {
    /// Row synced but its memory is gone from Mem0 (or marked `replaced_by`): add it again.
    case missing
    /// Text or our metadata differ remotely: push the row (policy `local`) or take the text.
    case changed
    /// A memory with our metadata and no row: adopt it as a row (or delete it, by policy).
    case orphan
    /// Several remote memories for one row: keep the one the row points to, delete the rest.
    case duplicate
    /// Deleted locally, still in Mem0: delete it remotely.
    case tombstoned
    /// The row points at no memory (or another one) while Mem0 holds its memory: relink the id.
    case relinked
    /// A memory without `metadata.brain`: not ours, left alone and counted.
    case foreign
}

/// How many of one drift class a run found, repaired and failed to repair.
public struct DriftCount: Sendable, Codable, Equatable {
    public var found = 0
    public var repaired = 0
    public var failed = 0

    public init(found: Int = 0, repaired: Int = 0, failed: Int = 0) {
        self.found = found
        self.repaired = repaired
        self.failed = failed
    }
}

/// What to do on drift where more than one repair makes sense.
public struct ReconcilePolicy: Sendable, Codable, Equatable {
    public enum Changed: String, Sendable, Codable { case local, remote }
    public enum Orphan: String, Sendable, Codable { case adopt, delete }

    public var changed: Changed = .local
    public var orphan: Orphan = .adopt

    public init(changed: Changed = .local, orphan: Orphan = .adopt) {
        self.changed = changed
        self.orphan = orphan
    }
}

/// What a run is asked to do.
public struct ReconcileOptions: Sendable, Codable, Equatable {
    /// Only this entity (normalized RUT).
    public var entity: String?
    /// Only this brain.
    public var brain: BrainKind?
    /// Compute the report, write nothing locally or remotely.
    public var dryRun: Bool

    public init(entity: String? = nil, brain: BrainKind? = nil, dryRun: Bool = false) {
        self.entity = entity
        self.brain = brain
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey {
        case entity, brain
        case dryRun = "dry_run"
    }
}

/// The report every reconcile run leaves, stored in `reconcile_runs`.
public struct ReconcileReport: Sendable, Codable, Equatable {
    public var runID: String
    /// `running`, `succeeded`, `partial` (some entities could not be listed), `failed` (the run
    /// itself broke, or no entity could be listed) or `interrupted` (daemon stopped).
    public var status: String
    public var options: ReconcileOptions
    public var policy: ReconcilePolicy
    public var startedAt: String
    public var finishedAt: String?
    /// Entities in scope; `entitiesScanned` grows as the run goes (the progress bar).
    public var entitiesTotal = 0
    public var entitiesScanned = 0
    public var remoteSeen = 0
    public var drift: [String: DriftCount] = [:]
    /// Mem0 calls by kind (`list`, `add`, `update`, `delete`).
    public var apiCalls: [String: Int] = [:]
    public var errors: [String] = []
    /// Decisions a stale listing suggested and a fresh read of Mem0 or of the row overruled;
    /// the next run looks again.
    public var deferred = 0
    /// Entities whose Mem0 listing failed, so nothing of theirs was compared.
    public var listingFailures = 0
    /// Entities the server could not list whole (the OSS server's cap); their rows were verified
    /// one by one instead of being taken as missing.
    public var cappedListings = 0

    public init(runID: String, options: ReconcileOptions, policy: ReconcilePolicy, startedAt: String) {
        self.runID = runID
        self.status = "running"
        self.options = options
        self.policy = policy
        self.startedAt = startedAt
    }

    /// Total drift found, foreign memories excluded (they are not drift).
    public var driftFound: Int { drift.filter { $0.key != DriftClass.foreign.rawValue }.values.reduce(0) { $0 + $1.found } }
    /// Write calls made (add, update, delete).
    public var writeCalls: Int { ["add", "update", "delete"].reduce(0) { $0 + (apiCalls[$1] ?? 0) } }

    public mutating func count(_ drift: DriftClass, found: Int = 0, repaired: Int = 0, failed: Int = 0) {
        var entry = self.drift[drift.rawValue] ?? DriftCount()
        entry.found += found
        entry.repaired += repaired
        entry.failed += failed
        self.drift[drift.rawValue] = entry
    }

    enum CodingKeys: String, CodingKey {
        case status, options, policy, drift, errors
        case runID = "run_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case entitiesTotal = "entities_total"
        case entitiesScanned = "entities_scanned"
        case remoteSeen = "remote_seen"
        case apiCalls = "api_calls"
        case deferred
        case listingFailures = "listing_failures"
        case cappedListings = "capped_listings"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(String.self, forKey: .runID)
        status = try container.decode(String.self, forKey: .status)
        options = try container.decode(ReconcileOptions.self, forKey: .options)
        policy = try container.decode(ReconcilePolicy.self, forKey: .policy)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(String.self, forKey: .finishedAt)
        entitiesTotal = try container.decode(Int.self, forKey: .entitiesTotal)
        entitiesScanned = try container.decode(Int.self, forKey: .entitiesScanned)
        remoteSeen = try container.decode(Int.self, forKey: .remoteSeen)
        drift = try container.decode([String: DriftCount].self, forKey: .drift)
        apiCalls = try container.decode([String: Int].self, forKey: .apiCalls)
        errors = try container.decode([String].self, forKey: .errors)
        // Reports stored before these fields existed.
        deferred = try container.decodeIfPresent(Int.self, forKey: .deferred) ?? 0
        listingFailures = try container.decodeIfPresent(Int.self, forKey: .listingFailures) ?? 0
        cappedListings = try container.decodeIfPresent(Int.self, forKey: .cappedListings) ?? 0
    }
}

/// The seam between the API and the reconciler (which lives in BrainSync).
public protocol ReconcileControl: Sendable {
    /// Starts a run, or returns the run already in progress (one at a time).
    func start(_ options: ReconcileOptions) async throws -> ReconcileReport
    /// The report of the run in progress, if any (with live progress).
    func current() async -> ReconcileReport?
}
