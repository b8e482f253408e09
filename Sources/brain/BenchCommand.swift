import ArgumentParser
import AsyncHTTPClient
import BrainCore
import BrainServer
import Foundation
import Histogram

/// `brain bench`: load braind over its socket, in the spirit of redis-benchmark and pgbench.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load braind with N connections for D seconds; print requests/s, latency percentiles, daemon CPU and RSS.",
        discussion: """
            Operations: save (one memory), batch (--batch-size memories), get, list, search (local), ping.
              brain bench -c 16 -d 10 --mix save=70,get=20,ping=10
            Saves write real, durable rows into the daemon's database (owners bench 1..100).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Concurrent connections.") var connections = 16
    @Option(name: .shortAndLong, help: "Seconds to run.") var duration = 10.0
    @Option(help: "Operation mix, e.g. save=50,get=30,ping=20.") var mix = "save=100"
    @Option(help: "Memories per batch save.") var batchSize = 100
    @Option(help: "Owners the load spreads over.") var owners = 100

    func run() async throws {
        try await runReportingErrors {
            let weights = try BenchMix(mix)
            var http = HTTPClient.Configuration()
            http.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
            let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
            var client = try global.client()
            client.http = httpClient
            client.probeBeforeRequest = false
            defer { Task { try? await httpClient.shutdown() } }
            let status = try await client.status()
            let before = ProcessSample(pid: status.pid)
            let run = BenchRun(client: client, mix: weights, batchSize: batchSize, owners: owners)
            try await run.prepare()
            let result = try await run.run(connections: connections, seconds: duration)
            let after = ProcessSample(pid: status.pid)
            let report = BenchReport(
                mix: mix, connections: connections, seconds: result.seconds, requests: result.histogram.totalCount,
                errors: result.errors, rows: result.rows, histogram: result.histogram, before: before, after: after)
            if global.json { return try printJSON(report.json) }
            report.print()
        }
    }
}

/// Daemon CPU time and RSS, read from /proc (only when braind runs on this machine).
struct ProcessSample {
    var cpuSeconds: Double?
    var rssBytes: Int?
    var at = ContinuousClock.now

    init(pid: Int32) {
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) {
                cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
           let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
            rssBytes = kilobytes * 1024
        }
    }
}
