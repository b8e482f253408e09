import BrainCore
import Foundation
import Logging
import Metrics

/// The one path by which a claimed row reaches Mem0, shared by the push worker and the
/// reconciler's repairs, so both follow the same exactly-once rules:
/// - an add happens only for a row claimed with its "add started" mark, and if an earlier add's
///   outcome is unknown, only after a `record_id` lookup found nothing;
/// - an update answered 404 does not add in the same call: the row forgets its memory id and is
///   claimed again, so the re-add carries the mark like any first add;
/// - Mem0 ends up with exactly the row's metadata, even where updates merge metadata.
public struct RowPusher: Sendable {
    let client: any Mem0Client
    let gate: Mem0Gate
    let backoff: BackoffPolicy
    let health: PushHealth

    public init(client: any Mem0Client, gate: Mem0Gate, backoff: BackoffPolicy = BackoffPolicy(), health: PushHealth = PushHealth()) {
        self.client = client
        self.gate = gate
        self.backoff = backoff
        self.health = health
    }

    /// Pushes one row and returns how it ended; the caller records the outcome.
    public func push(_ task: PushTask, logger: Logger) async -> PushOutcome {
        var logger = logger
        logger[metadataKey: "braind.record.id"] = "\(task.recordID)"
        logger[metadataKey: "braind.push.operation"] = "\(task.operation.rawValue)"
        let outcome: PushOutcome
        let started = ContinuousClock.now
        defer {
            Timer(label: "braind_push_duration_seconds", dimensions: [("operation", task.operation.rawValue)])
                .recordSeconds((ContinuousClock.now - started).seconds)
        }
        do {
            try await gate.wait()
            outcome = try await perform(task)
            gate.recordSuccess()
            health.withLock {
                $0.state = "ok"
                $0.lastPushAt = Timestamp.now()
                $0.lastError = nil
            }
        } catch {
            outcome = classify(error, task: task)
            logger.debug("push failed", metadata: ["braind.error": "\(error)"])
        }
        Counter(label: "braind_pushes_total", dimensions: [("operation", task.operation.rawValue), ("result", outcome.metricName)]).increment()
        if case .gone(let previous) = outcome {
            logger.notice("memory missing in Mem0; the row is added again", metadata: ["braind.memory.previous": "\(previous)"])
        }
        return outcome
    }

    /// The Mem0 calls for one row.
    private func perform(_ task: PushTask) async throws -> PushOutcome {
        switch task.operation {
        case .add:
            return .stored(memoryID: try await add(task))
        case .update:
            let memoryID = task.memoryID!
            do {
                try await overwrite(memoryID, with: task)
                return .stored(memoryID: memoryID)
            } catch let error as Mem0Error where error.failureClass == .notFound {
                // The seed's rule: a memory deleted in Mem0 is recreated, and the repair journaled.
                return .gone(previous: memoryID)
            }
        case .delete:
            if let memoryID = task.memoryID { try await client.deleteIfPresent(id: memoryID) }
            if task.memoryID == nil || task.addOutcomeUnknown {
                // An add may have landed without us learning its id: delete whatever carries this row.
                for memory in try await memories(of: task) { try await client.deleteIfPresent(id: memory.id) }
            }
            return .deleted
        }
    }

    /// Adds the row, unless an earlier add of unknown outcome already stored it: Mem0 has no
    /// idempotency key, so the row's `record_id` in the metadata is the only way to find out.
    private func add(_ task: PushTask) async throws -> String {
        if task.addOutcomeUnknown {
            let existing = try await memories(of: task)
            if let keep = existing.first {
                for duplicate in existing.dropFirst() { try await client.deleteIfPresent(id: duplicate.id) }
                if keep.memory != task.content || !keep.holdsExactly(task.mem0Metadata) {
                    try await overwrite(keep.id, with: task)
                }
                return keep.id
            }
        }
        return try await client.addRow(task)
    }

    /// Makes a memory hold the row's text and exactly its metadata. Where an update merges
    /// metadata (the OSS library does; the Platform does not say), keys the row no longer has
    /// survive it, so they are written again as null, which is how a merge removes a key.
    private func overwrite(_ memoryID: String, with task: PushTask) async throws {
        let desired = task.mem0Metadata
        let after = try await client.update(id: memoryID, text: task.content, metadata: desired)
        let stale = after.metadata.filter { desired[$0.key] == nil && $0.value != .null }.keys
        guard !stale.isEmpty else { return }
        var cleared = desired
        for key in stale { cleared[key] = .null }
        _ = try await client.update(id: memoryID, text: nil, metadata: cleared)
    }

    /// The current memories carrying this row's `record_id` in its own brain: a company row and a
    /// user row of one RUT share an entity and must never touch each other's memories, and a
    /// superseded memory (`replaced_by`) is Mem0's history, not a copy of the row.
    private func memories(of task: PushTask) async throws -> [Mem0Memory] {
        try await client.memories(carrying: task.recordID, userID: task.entityID, text: task.content)
            .filter { $0.metadata["brain"] == .string(task.brain.rawValue) && $0.replacedBy == nil }
    }

    /// Maps a failure to what the row should do next.
    func classify(_ error: any Error, task: PushTask) -> PushOutcome {
        let message = "\(error)"
        health.withLock { $0.lastError = message }
        Counter(label: "braind_mem0_errors_total", dimensions: [("class", Self.errorClass(error))]).increment()
        // The add mark stays until braind knows what Mem0 holds for the record_id: only an answer
        // that says this add stored nothing, after no earlier add of unknown outcome, clears it.
        let outcomeUnknown = task.operation == .add && (task.addOutcomeUnknown || !Self.storedNothing(error))
        guard let mem0Error = error as? Mem0Error else {
            if error is CancellationError {
                return .retry(error: "interrupted by shutdown", delay: .zero, outcomeUnknown: outcomeUnknown)
            }
            if let pushError = error as? PushError { return .failed(error: pushError.description, outcomeUnknown: outcomeUnknown) }
            return .retry(error: message, delay: backoff.delay(afterAttempt: task.attempts), outcomeUnknown: outcomeUnknown)
        }
        switch mem0Error.failureClass {
        case .retryable(let retryAfter):
            gate.recordFailure(of: mem0Error)
            if case .transport = mem0Error { health.withLock { $0.state = "unreachable" } }
            if mem0Error.status.map({ $0 >= 500 }) == true { health.withLock { $0.state = "unreachable" } }
            return .retry(
                error: message, delay: backoff.delay(afterAttempt: task.attempts, retryAfter: retryAfter),
                outcomeUnknown: outcomeUnknown)
        case .auth:
            health.withLock { $0.state = "auth_failed" }
            return .paused
        case .notFound where outcomeUnknown:
            // An add whose event cannot be found: the add itself was accepted, so what it stored
            // is settled by the lookup of the next attempt, not by marking the row failed.
            return .retry(error: message, delay: backoff.delay(afterAttempt: task.attempts), outcomeUnknown: true)
        case .notFound, .permanent:
            return .failed(error: mem0Error.description, outcomeUnknown: outcomeUnknown)
        }
    }

    /// Whether a failed add call is known to have stored nothing: Mem0 refused the request itself
    /// (an HTTP error answering a POST, a rate limit included), nothing listened, or the add's
    /// event finished and said so. A timeout, a reset, a 5xx, a lost event or an unreadable answer
    /// may all hide a stored memory.
    static func storedNothing(_ error: any Error) -> Bool {
        if case PushError.nothingStored = error { return true }
        guard let error = error as? Mem0Error else { return false }
        switch error {
        case .transport(.connectionRefused, _), .transport(.hostNotFound, _), .transport(.invalidURL, _): return true
        case .http(let status, _, _, let endpoint): return status < 500 && endpoint.hasPrefix("POST ")
        case .eventFailed, .invalidArgument: return true
        case .transport, .invalidResponse, .eventPollTimedOut: return false
        }
    }
}

/// Push failures that are not Mem0 errors.
enum PushError: Error, CustomStringConvertible {
    /// Mem0 completed the add but kept nothing.
    case nothingStored

    var description: String {
        switch self {
        case .nothingStored: "Mem0 accepted the add but stored nothing"
        }
    }
}

extension RowPusher {
    /// The error class label of `braind_mem0_errors_total`.
    static func errorClass(_ error: any Error) -> String {
        guard let error = error as? Mem0Error else { return error is CancellationError ? "cancelled" : "other" }
        switch error {
        case .transport(let failure, _):
            switch failure {
            case .timeout: return "timeout"
            case .connectionReset: return "reset"
            case .connectionRefused, .hostNotFound: return "unreachable"
            case .invalidURL, .other: return "transport"
            }
        case .http(let status, _, _, _):
            switch status {
            case 429: return "rate_limited"
            case 401, 403: return "auth"
            case 404: return "not_found"
            case 500...599: return "server"
            default: return "rejected"
            }
        case .eventFailed, .eventPollTimedOut: return "event"
        case .invalidResponse, .invalidArgument: return "contract"
        }
    }
}

extension PushOutcome {
    /// The result label of `braind_pushes_total`.
    var metricName: String {
        switch self {
        case .stored: "stored"
        case .gone: "gone"
        case .deleted: "deleted"
        case .retry: "retry"
        case .failed: "failed"
        case .paused: "paused"
        }
    }
}

extension Mem0Memory {
    /// Whether the memory's metadata is exactly `desired`. A key holding null counts as absent:
    /// that is what a removed key looks like where updates merge metadata.
    public func holdsExactly(_ desired: [String: JSONValue]) -> Bool {
        metadata.filter { $0.value != .null } == desired.filter { $0.value != .null }
    }
}
