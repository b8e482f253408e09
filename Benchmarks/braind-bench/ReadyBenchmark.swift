import BrainCore
import BrainServer
import Foundation

/// Start-to-ready time and resident memory of a real `braind` on a given database: spawn it, poll
/// the socket until `GET /v1/ping` answers, then exercise it and read VmRSS from /proc.
struct ReadyBenchmark {
    var braind: String
    var database: String
    var socket: String

    struct Result {
        var readyMilliseconds: Double
        var rssAfterReady: Int
        var rssAfterQueries: Int
        var memories: Int
    }

    func run() async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: braind)
        process.arguments = ["--socket", socket, "--db", database, "--log-level", "warning"]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MEM0_API_KEY")
        process.environment = environment
        let started = ContinuousClock.now
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var client = DaemonClient(socketPath: socket, timeout: .seconds(5))
        client.probeBeforeRequest = true
        while true {
            if (try? await client.ping()) != nil { break }
            guard process.isRunning, ContinuousClock.now - started < .seconds(60) else { throw BenchmarkError.setup("braind did not become ready") }
            try await Task.sleep(for: .milliseconds(1))
        }
        let ready = (ContinuousClock.now - started).seconds * 1000
        let rssReady = Self.rss(process.processIdentifier)
        let status = try await client.status()
        // A realistic working set: reads and searches over many owners.
        for owner in 0..<2_000 {
            let body = String(40_000_000 + owner * 5)
            let rut = body + String(RUT.checkDigit(forBody: body))
            _ = try? await client.search(SearchRequest(q: "regimen", owner: rut, brain: .company, limit: 10, mode: .local))
            _ = try? await client.list(.company, owner: rut, limit: 20)
        }
        let memories = (status.brains["company"]?.live ?? 0) + (status.brains["user"]?.live ?? 0)
        return Result(readyMilliseconds: ready, rssAfterReady: rssReady, rssAfterQueries: Self.rss(process.processIdentifier), memories: memories)
    }

    static func rss(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }
}
