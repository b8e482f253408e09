import Foundation
import Logging
import MCP

/// Wraps a transport so that the server finishes answering before it stops.
///
/// The SDK's server handles each request in a task of its own and ends its message loop as soon as
/// the input ends. A client that writes its requests and closes stdin at once (a shell pipe, a
/// one-shot script) would lose every answer still being computed. This transport counts requests
/// in and responses out, and `drain` waits until each request has had its answer.
actor DrainingTransport: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    /// Requests received and not yet answered.
    private var unanswered = 0
    private let incoming: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var forwarding: Task<Void, Never>?

    init(_ inner: any Transport, logger: Logger) {
        self.inner = inner
        self.logger = logger
        (incoming, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        try await inner.connect()
        let messages = await inner.receive()
        forwarding = Task { [continuation] in
            do {
                for try await message in messages {
                    // Counted before the server sees it, so `drain` cannot miss a request. The task
                    // runs on this actor, so counting needs no hop.
                    received(message)
                    continuation.yield(message)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    func disconnect() async {
        forwarding?.cancel()
        await inner.disconnect()
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        try await inner.send(data)
        // A response the count never saw (an answer to unparseable input) must not go below zero.
        unanswered = max(0, unanswered - JSONRPCShape.count(in: data, where: JSONRPCShape.isResponse))
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Error> {
        incoming
    }

    /// Waits until every request received has been answered, or `timeout` passes (a cancelled
    /// request gets no answer).
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while unanswered > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if unanswered > 0 { logger.warning("stopping with \(unanswered) request(s) unanswered") }
    }

    private func received(_ message: Data) {
        unanswered += JSONRPCShape.count(in: message, where: JSONRPCShape.isRequest)
    }
}

/// Tells JSON-RPC requests from responses without decoding them fully.
enum JSONRPCShape {
    /// A request has a method and an id (a notification has no id).
    static func isRequest(_ object: [String: Any]) -> Bool {
        object["method"] != nil && object["id"] != nil
    }

    /// A response has an id and no method.
    static func isResponse(_ object: [String: Any]) -> Bool {
        object["method"] == nil && object["id"] != nil
    }

    /// How many objects in a message (one object, or a batch array) match.
    static func count(in message: Data, where matches: ([String: Any]) -> Bool) -> Int {
        switch try? JSONSerialization.jsonObject(with: message) {
        case let object as [String: Any]: matches(object) ? 1 : 0
        case let batch as [Any]: batch.count { ($0 as? [String: Any]).map(matches) ?? false }
        default: 0
        }
    }
}
