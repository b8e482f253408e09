import ArgumentParser
import BrainCore
import Foundation

/// `braind-bench`: benchmarks that print numbers. Targets live here, never in timed tests.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "braind-bench",
        abstract: "braind benchmarks (build with -c release for meaningful numbers).",
        subcommands: [PushCommand.self])
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Push pending rows to fake-mem0 with injected latency; compare with concurrency ÷ latency.")

    @Option(help: "Pending rows to push.") var rows = 10_000
    @Option(help: "Latency fake-mem0 adds to every request, in milliseconds.") var latencyMs = 20
    @Option(parsing: .upToNextOption, help: "Concurrency levels to measure.") var concurrency: [Int] = [8, 16, 32]

    func run() async throws {
        let benchmark = PushBenchmark(rows: rows, latency: .milliseconds(latencyMs), concurrencies: concurrency)
        print("push \(rows) pending rows to fake-mem0, \(latencyMs) ms latency, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("concurrency  seconds  rows/s   bound rows/s  % of bound  remote  synced")
        for result in try await benchmark.run() {
            let line = [
                String(result.concurrency).padding(toLength: 11, withPad: " ", startingAt: 0),
                String(format: "%7.2f", result.seconds),
                String(format: "%7.0f", result.rowsPerSecond),
                String(format: "%13.0f", result.bound),
                String(format: "%10.1f%%", 100 * result.rowsPerSecond / result.bound),
                String(format: "%7d", result.remote),
                String(format: "%7d", result.synced),
            ]
            print(line.joined(separator: "  "))
        }
    }
}
