import BrainCore
import Foundation
import Logging
import Metrics

extension PushWorker {
    /// Pushes one row and returns how it ended; the caller records outcomes in batches.
    func push(_ task: PushTask, logger: Logger) async -> PushOutcome {
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
        if case .recreated(let memoryID, let previous) = outcome {
            logger.notice("memory missing in Mem0 was added again", metadata: ["braind.memory.id": "\(memoryID)", "braind.memory.previous": "\(previous)"])
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
                _ = try await client.update(id: memoryID, text: task.content, metadata: task.mem0Metadata)
                return .stored(memoryID: memoryID)
            } catch let error as Mem0Error where error.failureClass == .notFound {
                // The seed's rule: a memory deleted in Mem0 is recreated, and the repair journaled.
                return .recreated(memoryID: try await add(task, lookFirst: false), previous: memoryID)
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
    private func add(_ task: PushTask, lookFirst: Bool = true) async throws -> String {
        if lookFirst, task.addOutcomeUnknown {
            let existing = try await memories(of: task)
            if let keep = existing.first {
                for duplicate in existing.dropFirst() { try await client.deleteIfPresent(id: duplicate.id) }
                if keep.memory != task.content || keep.metadata != task.mem0Metadata {
                    _ = try await client.update(id: keep.id, text: task.content, metadata: task.mem0Metadata)
                }
                return keep.id
            }
        }
        return try await client.addRow(task)
    }

    private func memories(of task: PushTask) async throws -> [Mem0Memory] {
        try await client.list(userID: task.entityID, metadataFilter: ["record_id": .string(task.recordID)])
            .filter { $0.metadata["record_id"] == .string(task.recordID) }
    }

    /// Maps a failure to what the row should do next.
    func classify(_ error: any Error, task: PushTask) -> PushOutcome {
        let message = "\(error)"
        health.withLock { $0.lastError = message }
        Counter(label: "braind_mem0_errors_total", dimensions: [("class", Self.errorClass(error))]).increment()
        guard let mem0Error = error as? Mem0Error else {
            if error is CancellationError {
                return .retry(error: "interrupted by shutdown", delay: .zero, outcomeUnknown: task.operation == .add)
            }
            if let pushError = error as? PushError { return .failed(error: pushError.description) }
            return .retry(error: message, delay: settings.backoff.delay(afterAttempt: task.attempts), outcomeUnknown: task.operation == .add)
        }
        switch mem0Error.failureClass {
        case .retryable(let retryAfter):
            gate.recordFailure(of: mem0Error)
            if case .transport = mem0Error { health.withLock { $0.state = "unreachable" } }
            if mem0Error.status.map({ $0 >= 500 }) == true { health.withLock { $0.state = "unreachable" } }
            // A refused connection or a 429 stored nothing; a timeout, reset or 5xx may have.
            let definitelyNotStored: Bool = switch mem0Error {
            case .transport(.connectionRefused, _), .transport(.hostNotFound, _): true
            case .http(let status, _, _, _): status == 429
            default: false
            }
            // A call that stored nothing does not settle an earlier add whose outcome is unknown:
            // the marker stays until a lookup has answered.
            return .retry(
                error: message, delay: settings.backoff.delay(afterAttempt: task.attempts, retryAfter: retryAfter),
                outcomeUnknown: task.operation == .add && (task.addOutcomeUnknown || !definitelyNotStored))
        case .auth:
            health.withLock { $0.state = "auth_failed" }
            return .paused
        case .notFound, .permanent:
            return .failed(error: mem0Error.description)
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

extension PushWorker {
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
        case .recreated: "recreated"
        case .deleted: "deleted"
        case .retry: "retry"
        case .failed: "failed"
        case .paused: "paused"
        }
    }
}
