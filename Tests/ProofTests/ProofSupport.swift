import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Synchronization
import Testing

/// Polls `condition` until it holds or `within` passes; returns its last value.
func waitFor(within: Duration = .seconds(20), every: Duration = .milliseconds(50), _ condition: () async throws -> Bool)
    async throws -> Bool
{
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: every)
    }
    return (try? await condition()) == true
}

// MARK: - Owners, PRNG and tallies

/// A valid RUT (body plus its modulo-11 check digit) for a numeric body.
func validRUT(body: Int) -> String {
    let text = String(body)
    return text + "-" + String(RUT.checkDigit(forBody: text))
}

/// The normalized form of `validRUT(body:)`: digits plus a lowercase check digit.
func normalizedRUT(body: Int) -> String {
    let text = String(body)
    return text + String(RUT.checkDigit(forBody: text)).lowercased()
}

/// How the remote memories relate to the local rows: the duplicate count is the number of extra
/// remote memories carrying a `metadata.record_id` that another remote memory also carries.
struct RemoteTally: CustomStringConvertible {
    /// Remote memories in total.
    var remote = 0
    /// Remote memories without a `record_id` (foreign to braind).
    var withoutRecordID = 0
    /// Distinct `record_id` values seen remotely.
    var distinctRecordIDs = 0
    /// Remote memories beyond the first for each `record_id`.
    var duplicates = 0
    /// `record_id` values carried by more than one remote memory.
    var duplicatedRecords = 0
    /// Local rows with no remote memory carrying their id.
    var missing = 0
    /// Remote memories whose `record_id` is no local row.
    var orphans = 0
    /// Local rows whose remote memory (the one braind points at) has other text.
    var contentMismatches = 0

    init(remote memories: [FakeMemory], local rows: [Memory]) {
        remote = memories.count
        var byRecord: [String: [FakeMemory]] = [:]
        for memory in memories {
            guard let recordID = memory.metadata?["record_id"]?.stringValue else {
                withoutRecordID += 1
                continue
            }
            byRecord[recordID, default: []].append(memory)
        }
        distinctRecordIDs = byRecord.count
        duplicates = byRecord.values.reduce(0) { $0 + max(0, $1.count - 1) }
        duplicatedRecords = byRecord.values.count { $0.count > 1 }
        let localIDs = Set(rows.map(\.id))
        missing = rows.count { byRecord[$0.id] == nil }
        orphans = byRecord.keys.count { !localIDs.contains($0) }
        let remoteByID = Dictionary(memories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        contentMismatches = rows.count { row in
            guard let memoryID = row.memoryID, let remote = remoteByID[memoryID] else { return true }
            return remote.memory != row.content
        }
    }

    var description: String {
        "remote=\(remote) distinct_record_ids=\(distinctRecordIDs) duplicates=\(duplicates) "
            + "(records_duplicated=\(duplicatedRecords)) missing=\(missing) orphans=\(orphans) "
            + "content_mismatches=\(contentMismatches) without_record_id=\(withoutRecordID)"
    }
}

extension DaemonClient {
    /// Every live memory of one owner, following `next_cursor`.
    func allMemories(_ brain: BrainKind, owner: String) async throws -> [Memory] {
        var memories: [Memory] = []
        var cursor: String?
        repeat {
            let page: MemoryPage
            do {
                page = try await list(brain, owner: owner, limit: 1_000, cursor: cursor)
            } catch DaemonClientError.api(404, "owner_not_found", _) {
                // A saver none of whose saves committed before a kill never created its owner.
                return []
            }
            memories += page.memories
            cursor = page.nextCursor
        } while cursor != nil
        return memories
    }

    /// Starts a reconcile run and polls it until it is no longer running.
    func reconcileToEnd(_ options: ReconcileOptions = ReconcileOptions(), within: Duration = .seconds(60)) async throws
        -> ReconcileReport
    {
        var report = try await startReconcile(options)
        let deadline = ContinuousClock.now + within
        while report.status == "running", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            report = try await reconcileRun(id: report.runID)
        }
        return report
    }
}

/// Writes a TOML configuration file and returns its path.
func writeConfiguration(_ text: String, in directory: String, name: String = "braind.toml") throws -> String {
    let path = directory + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The proofs share the machine's two cores and time the daemon, so they never run at the same
/// time as each other: `.serialized` on this parent suite applies to every suite nested in it.
@Suite(.serialized)
enum Proofs {}

/// A flag one task raises and others poll.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .sequentiallyConsistent) }

    var isRaised: Bool { raised.load(ordering: .sequentiallyConsistent) }
}
