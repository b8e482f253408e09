import BrainSync
import Testing

struct Mem0GateTests {
    static func failure(_ status: Int) -> Mem0Error {
        .http(status: status, message: "", retryAfter: nil, endpoint: "POST /v3/memories/")
    }

    @Test("A 429 pauses every caller at once; a lone 500 or a permanent error does not")
    func rateLimitsPauseEveryone() {
        let policy = BackoffPolicy(base: .seconds(10), cap: .seconds(60))
        let limited = Mem0Gate(policy: policy)
        limited.recordFailure(of: Self.failure(429))
        #expect(limited.remainingPause > .zero)

        let scattered = Mem0Gate(policy: policy)
        scattered.recordFailure(of: Self.failure(500))
        scattered.recordFailure(of: Self.failure(400))
        scattered.recordFailure(of: CancellationError())
        #expect(scattered.remainingPause == .zero)
    }

    @Test("Repeated retryable failures pause everyone; a success in between resets the count")
    func repeatedFailuresPause() {
        let gate = Mem0Gate(policy: BackoffPolicy(base: .seconds(10), cap: .seconds(60)))
        for _ in 1..<Mem0Gate.failuresBeforePause { gate.recordFailure(of: Self.failure(503)) }
        gate.recordSuccess()
        gate.recordFailure(of: Self.failure(503))
        #expect(gate.remainingPause == .zero)
        for _ in 1..<Mem0Gate.failuresBeforePause { gate.recordFailure(of: Self.failure(503)) }
        #expect(gate.remainingPause > .zero)
    }
}
