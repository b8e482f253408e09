/// The sync state machine of a brain row, written down once; both stores implement it and the
/// store contract suite checks every transition it observes against `allows`.
///
/// States (`SyncState`), with the version pair: a row needs a push while `version > synced_version`.
/// - `pending`: local changes Mem0 does not have. A save (created or updated), a delete of a
///   pushed row (a tombstone), `retry`, a `.gone` outcome, a `.retry`/`.paused` outcome, a
///   recovered claim and a retarget put a row here.
/// - `in_flight`: claimed by a push worker (`claimPushTasks`) or by reconcile
///   (`claimForRepair`). Only the claimer records an outcome. A save landing meanwhile bumps
///   `version`; the outcome then leaves the row `pending` for the newer version.
/// - `synced`: Mem0 holds `synced_version == version` under `memory_id`. Only `completePush`
///   with `.stored`, reconcile's relink/adopt/take-remote and an import of already-synced rows
///   put a row here.
/// - `failed`: Mem0 refused the row (`.failed`). It stays until its next change or `retry`.
///
/// The "add started" mark (`push_started_at`) makes every add exactly-once: the claim of a row
/// without a `memory_id` sets it in the claiming commit, before Mem0 is called. While it is set,
/// the next attempt first looks for a memory carrying the row's `record_id` and adopts it instead
/// of adding again. It is cleared only when braind knows what Mem0 holds for that record_id: a
/// `.stored` outcome, an add refused outright, or a finished event that stored nothing. A
/// timeout, a reset, a 5xx, a lost event or a crash keep it.
public enum SyncStateMachine {
    /// Who moves a row between states.
    public enum Mover: String, Sendable, CaseIterable {
        case save, delete, claim, outcome, recover, retry, reconcile, retarget
    }

    /// Whether `mover` may move a row from `from` to `to`.
    public static func allows(_ mover: Mover, from: SyncState, to: SyncState) -> Bool {
        switch mover {
        case .save, .delete:
            // A new version: pending again, whatever Mem0 had (in flight keeps its claim).
            return to == .pending || (from == .inFlight && to == .inFlight)
        case .claim:
            return from == .pending && to == .inFlight
        case .outcome:
            return from == .inFlight && [.synced, .pending, .failed].contains(to)
        case .recover:
            return from == .inFlight && to == .pending
        case .retry:
            return from == .failed && to == .pending
        case .reconcile:
            // Repairs start only from a row exactly as read, synced; a claim for repair goes in flight.
            return from == .synced && [.synced, .inFlight, .pending].contains(to)
        case .retarget:
            return to == .pending && from != .inFlight
        }
    }
}
