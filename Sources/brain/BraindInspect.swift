import BrainCore
import Foundation

/// Runs `braind inspect` for `brain doctor`: the CLI links no database driver, so reading the
/// SQLite file itself is left to the daemon's binary, found beside `brain` or on PATH.
enum BraindInspect {
    struct Output: Decodable {
        var inspection: DatabaseInspection
        var binarySchemaVersion: String

        enum CodingKeys: String, CodingKey {
            case inspection
            case binarySchemaVersion = "binary_schema_version"
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case missing
        case noBraind
        case failed(String)

        var description: String {
            switch self {
            case .missing: "the database file does not exist"
            case .noBraind: "no braind binary beside brain or on PATH to inspect the database with"
            case .failed(let message): message
            }
        }
    }

    static func run(path: String) throws(Failure) -> Output {
        guard let braind = locateBraind() else { throw .noBraind }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: braind)
        process.arguments = ["inspect", path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .failed("cannot run \(braind): \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0:
            do { return try JSONDecoder().decode(Output.self, from: data) } catch {
                throw .failed("\(braind) inspect answered something unreadable: \(error)")
            }
        case 3: throw .missing
        default:
            let reason = message.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "braind: error: ", with: "")
            throw .failed(reason.isEmpty ? "\(braind) inspect exited with \(process.terminationStatus)" : reason)
        }
    }

    /// `braind` next to this executable (an install or a build directory), else the first on PATH.
    private static func locateBraind() -> String? {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var candidates = [((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("braind")]
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        candidates += path.split(separator: ":").map { ($0 as NSString).appendingPathComponent("braind") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
