import BrainCore
import Foundation
import Logging

extension PushWorker {
    /// Pings Mem0 once at start so status shows `ok`, `unreachable` or `auth_failed` at once.
    func checkConnection() async {
        do {
            _ = try await client.ping()
            health.withLock { $0.state = "ok" }
            gate.recordSuccess()
        } catch let error as Mem0Error {
            note(error)
        } catch {
            health.withLock { $0.lastError = "\(error)" }
        }
    }

    /// While the key is refused, pushing stays paused; each pass re-pings (through the shared
    /// gate's backoff) and resumes by itself once the key works again.
    func ensureAuthorized() async -> Bool {
        if health.withLock({ $0.state == "target_changed" }) { return false }
        let paused = health.withLock { $0.state == "auth_failed" }
        guard paused else { return true }
        do {
            try await gate.wait()
            _ = try await client.ping()
            gate.recordSuccess()
            health.withLock {
                $0.state = "ok"
                $0.lastError = nil
            }
            logger.notice("Mem0 accepts the key again; pushing resumes")
            return true
        } catch let error as Mem0Error {
            note(error)
            if error.failureClass == .auth { gate.recordFailure(retryAfter: nil) }
            return false
        } catch {
            return false
        }
    }

    private func note(_ error: Mem0Error) {
        let state: String = switch error.failureClass {
        case .auth: "auth_failed"
        default: "unreachable"
        }
        if state == "auth_failed" {
            logger.error("Mem0 refused the API key; pushing is paused until it works", metadata: ["braind.error": "\(error)"])
        }
        health.withLock {
            $0.state = state
            $0.lastError = error.description
        }
    }
}
