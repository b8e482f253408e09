import FakeMem0
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("fake-mem0 stop")
struct FakeMem0StopTests {
    /// Cancelling the serving task while a connection waited to be served trapped the whole test
    /// process in CI (apple/swift-nio#2637); a graceful stop serves or closes every connection.
    @Test("stop while clients keep connecting leaves the process running and the port closed")
    func stopUnderAConnectionStorm() async throws {
        for _ in 0..<30 {
            let server = FakeMem0Server()
            try await server.start()
            let port = server.port
            let storm = ConnectionStorm(port: port)
            // Blocking connects, so off the cooperative pool: they must not starve the fake.
            let connecting = Task { await withCheckedContinuation { done in
                DispatchQueue.global().async {
                    storm.run()
                    done.resume()
                }
            } }
            while storm.opened < 8 { try await Task.sleep(for: .milliseconds(1)) }
            await server.stop()
            storm.stop()
            await connecting.value
            #expect(storm.opened >= 8)
            #expect(LoopbackSocket.connect(port: port) == nil, "the fake still accepts after stop()")
        }
    }

    @Test("stop ends a storeThenTimeout hang: the waiting client fails and stop returns", .timeLimit(.minutes(1)))
    func stopCutsAHangShort() async throws {
        // A grace period far beyond the time limit: only cutting the hang short can pass.
        let server = FakeMem0Server(configuration: .init(stopGracePeriod: .seconds(3600)))
        try await server.start()
        await server.injectFault(FakeMem0Fault(.storeThenTimeout(delay: nil), route: .add))
        let harness = FakeMem0HTTPHarness(server: server)
        let waiting = Task {
            try await harness.call("POST", "/v3/memories/add/", body: #"{"messages":[{"role":"user","content":"hold"}],"user_id":"u1"}"#)
        }
        while await server.requestCount(.add) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await server.memories(userID: "u1").count == 1)

        await server.stop()
        switch await waiting.result {
        case .success(let answer): #expect(answer.status >= 500, "a cut hang must not read as a success")
        case .failure: break
        }
    }
}

/// Opens loopback connections, each with a request written, as fast as it can until stopped or
/// refused; closes them all when done.
private final class ConnectionStorm: @unchecked Sendable {
    private let port: Int
    private let lock = NSLock()
    private var count = 0
    private var stopped = false

    init(port: Int) { self.port = port }

    var opened: Int { lock.withLock { count } }

    func stop() { lock.withLock { stopped = true } }

    func run() {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        while !lock.withLock({ stopped }) && sockets.count < 5_000 {
            guard let socket = LoopbackSocket.connect(port: port) else { return }
            let request = "GET /v1/ping/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token test-key\r\n\r\n"
            _ = request.withCString { send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            sockets.append(socket)
            lock.withLock { count += 1 }
        }
    }
}

/// Blocking IPv4 loopback connects, so the test controls exactly when connections arrive.
enum LoopbackSocket {
    /// A connected socket, or nil when the connection is refused.
    static func connect(port: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            return nil
        }
        return socket
    }
}
