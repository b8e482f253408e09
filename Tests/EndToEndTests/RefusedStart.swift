import BrainTestSupport
import Foundation

/// Runs `braind` expecting it to refuse to start. A braind that starts anyway would run until
/// killed, so after `within` it is killed and reported as still running (nil status); the test
/// then fails at once instead of at its time limit. The waits run on a Dispatch thread.
func runRefusedBraind(_ arguments: [String], environment: [String: String] = [:], within: Duration = .seconds(15))
    async throws -> (status: Int32?, stderr: String)
{
    let directory = try makeShortTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let logPath = directory + "/stderr"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    let process = try ChildProcess(
        executable: Binaries.url("braind").path, arguments: arguments,
        environment: isolatedEnvironment(directory: directory).merging(environment) { $1 }, stderr: .descriptor(log.fileDescriptor))
    try log.close()
    let exited: Bool = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            let deadline = ContinuousClock.now + within
            while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
            guard process.isRunning else { return continuation.resume(returning: true) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            continuation.resume(returning: false)
        }
    }
    let stderr = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    return (exited ? process.terminationStatus : nil, stderr)
}
