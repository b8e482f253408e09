import BrainCore

/// One entity's share of a run's report, merged into the report when the entity is done.
struct EntityTally: Sendable {
    var remoteSeen = 0
    var drift: [DriftClass: DriftCount] = [:]
    var apiCalls: [String: Int] = [:]
    var errors: [String] = []
    /// Decisions left to the next run: Mem0 or the row changed since the listing.
    var deferred = 0
    /// Mem0 could not be listed for this entity, so nothing was compared.
    var listingFailed = false
    /// The server's listing cap cut this entity's listing short.
    var cappedListing = false

    mutating func found(_ drift: DriftClass, _ count: Int = 1) { self.drift[drift, default: DriftCount()].found += count }
    mutating func repaired(_ drift: DriftClass) { self.drift[drift, default: DriftCount()].repaired += 1 }
    mutating func failed(_ drift: DriftClass, _ error: String) {
        self.drift[drift, default: DriftCount()].failed += 1
        errors.append(error)
    }
    mutating func call(_ kind: String) { apiCalls[kind, default: 0] += 1 }

    func merge(into report: inout ReconcileReport) {
        report.remoteSeen += remoteSeen
        for (kind, count) in drift { report.count(kind, found: count.found, repaired: count.repaired, failed: count.failed) }
        for (kind, count) in apiCalls { report.apiCalls[kind, default: 0] += count }
        report.errors += errors.prefix(max(0, 100 - report.errors.count))
        report.deferred += deferred
        if listingFailed { report.listingFailures += 1 }
        if cappedListing { report.cappedListings += 1 }
        report.entitiesScanned += 1
    }
}
