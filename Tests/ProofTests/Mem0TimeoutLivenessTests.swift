import BrainCore
import BrainServer
import BrainTestSupport
import FakeMem0
import Foundation
import Testing

extension Proofs {
    /// Found while validating the fault soak: when a Mem0 call's deadline fires just as its answer
    /// arrives, braind can stop answering altogether. This proof provokes that race on purpose.
    @Suite(.timeLimit(.minutes(2)))
    struct Mem0TimeoutLivenessTests {
        @Test("braind keeps answering ping while its Mem0 calls time out just as their answers arrive")
        func staysResponsiveWhenMem0AnswersAtTheDeadline() async throws {
            // Mem0 answers after 100 ms; braind gives up after 100 ms: every call races its deadline.
            let fake = FakeMem0Server(configuration: .init(settings: FakeMem0Settings(latency: .milliseconds(100))))
            try await fake.start()
            let directory = try makeShortTemporaryDirectory()
            let config = try writeConfiguration(
                """
                [mem0]
                timeout_seconds = 0.1

                [sync]
                backoff_cap_seconds = 1
                concurrency = 64

                [reconcile]
                interval_seconds = 0
                """, in: directory)
            let daemon = try await DaemonProcess(
                directory: directory, extraArguments: ["--config", config],
                environment: ["MEM0_API_KEY": FakeMem0Settings.defaultAPIKey, "MEM0_BASE_URL": fake.baseURL.absoluteString])
            defer { daemon.removeDirectory() }
            let ping = RawUnixSocket.request("GET", "/v1/ping")
            for owner in 0..<20 {
                let items = (0..<100).map { MemoryInput(slug: "fact_\($0)", content: "Hecho \($0) de la empresa \(owner)") }
                let body = try JSONEncoder().encode(SaveBatchRequest(memories: items))
                let save = RawUnixSocket.request("POST", "/v1/companies/\(validRUT(body: 40_000_000 + owner))/memories",
                                                 headers: [("Content-Type", "application/json")], body: Array(body))
                guard await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: save, timeout: .seconds(5)).status == 200 else { break }
            }

            let started = ContinuousClock.now
            var answered = 0
            var stalledAfter: Duration?
            while ContinuousClock.now - started < .seconds(15) {
                guard await RawUnixSocket.exchangeOffPool(path: daemon.socketPath, request: ping, timeout: .seconds(3)).status == 200 else {
                    stalledAfter = ContinuousClock.now - started
                    break
                }
                answered += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            let calls = await fake.requestLog().count
            print("[liveness] mem0 latency 100 ms, timeout 0.1 s: pings answered=\(answered); braind \(stalledAfter.map { "stopped answering after \($0) (alive: \(daemon.process.isRunning))" } ?? "answered for 15 s"); mem0 calls=\(calls)")
            if stalledAfter != nil { await Self.printStacks(of: daemon.pid) }
            #expect(stalledAfter == nil, "braind stopped answering while Mem0 calls were timing out")
            await fake.stop()
        }

        /// Prints the frames that show where braind's threads wait (when gdb is installed).
        private static func printStacks(of pid: Int32) async {
            let gdb = URL(fileURLWithPath: "/usr/bin/gdb")
            guard FileManager.default.isExecutableFile(atPath: gdb.path),
                let run = try? await runCommand(gdb, ["-p", "\(pid)", "-batch", "-ex", "thread apply all bt 16"])
            else { return }
            let interesting = ["Thread ", "AsyncHTTPClient", "withDeadline", "withStatusRecordLock", "resume9returning", "_dispatch_sync_f_slow"]
            for line in run.stdout.split(separator: "\n") where interesting.contains(where: { line.contains($0) }) {
                print("[liveness]   \(line.replacingOccurrences(of: #"0x[0-9a-f]{16} in "#, with: "", options: .regularExpression).prefix(170))")
            }
        }
    }
}
