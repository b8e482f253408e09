import Foundation
import Synchronization

/// A child process started with `posix_spawn`, with the part of Foundation's `Process` the tests
/// use. Foundation 6.3.1's `Process.run()` lists `/proc/self/fd` with a `dirent` copy that reads
/// 256 bytes past glibc's buffer, so a test process that spawns hundreds of children crashes in
/// `memcpy` now and then (swift-corelibs-foundation PR #5472, merged after 6.3.1; seen in CI).
///
/// The child gets only its three standard descriptors: every other one is closed in the child
/// (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34+), so no pipe end or socket of the
/// test leaks into it.
public final class ChildProcess: Sendable {
    public enum TerminationReason: Sendable, Equatable {
        case exit
        case uncaughtSignal
    }

    /// What a standard descriptor of the child is.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A descriptor of this process; the child gets a copy, the caller keeps and closes its own.
        case descriptor(Int32)
    }

    public let processIdentifier: pid_t
    /// The wait status once the child has been reaped.
    private let waitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` (without argv[0]) and exactly `environment`.
    public init(
        executable: String, arguments: [String], environment: [String: String],
        stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { arguments in
            (envp + [nil]).withUnsafeBufferPointer { environment in
                posix_spawn(&pid, executable, &actions, nil, arguments.baseAddress!, environment.baseAddress!)
            }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        processIdentifier = pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not
    /// export; nil where the C library lacks it (then only close-on-exec descriptors are closed).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Blocks the calling thread until the child exits.
    public func waitUntilExit() { _ = reap(blocking: true) }

    /// The exit code, or the signal that ended the child. Valid once it has exited.
    public var terminationStatus: Int32 {
        let status = reap(blocking: true) ?? 0
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public var terminationReason: TerminationReason {
        (reap(blocking: true) ?? 0) & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    /// The wait status, reaping the child if it has exited (or waiting for it when `blocking`).
    private func reap(blocking: Bool) -> Int32? {
        var echildren = 0
        while true {
            if let status = waitStatus.withLock({ $0 }) { return status }
            var status: Int32 = 0
            let result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
            if result == processIdentifier {
                waitStatus.withLock { $0 = status }
                return status
            }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: another thread reaped it a moment ago and is about to record the status.
            // If nobody does (something reaped it behind our back), it is gone: say exit 255.
            echildren += 1
            if echildren > 10_000 {
                waitStatus.withLock { $0 = $0 ?? (255 << 8) }
                continue
            }
            sched_yield()
        }
    }

    deinit {
        // A child nobody waited for would stay a zombie for the rest of the test run.
        if waitStatus.withLock({ $0 }) == nil {
            var status: Int32 = 0
            _ = waitpid(processIdentifier, &status, WNOHANG)
        }
    }
}
