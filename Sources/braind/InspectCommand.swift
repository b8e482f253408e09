import ArgumentParser
import BrainCore
import BrainStoreSQLite
import Foundation

/// `braind inspect FILE`: what a SQLite database file holds, read-only, as JSON. `brain doctor`
/// runs it so that the CLI itself links no database driver.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Inspect a braind SQLite database file read-only and print what it holds as JSON.",
        discussion: "Exit status 0: inspected; 3: the file does not exist; 1: it is not a usable braind database.")

    @Argument(help: "The database file.") var file: String
    @Flag(help: "Skip the integrity check (it reads every page).") var noIntegrity = false

    /// The exit status for a file that is not there, so callers tell "not created yet" from "broken".
    static let missingStatus: Int32 = 3

    func run() throws {
        let facts: DatabaseInspection
        do {
            facts = try DatabaseInspection.inspect(path: file, checkIntegrity: !noIntegrity)
        } catch .missing {
            FileHandle.standardError.write(Data("braind: error: \(file) does not exist\n".utf8))
            throw ExitCode(Self.missingStatus)
        } catch {
            FileHandle.standardError.write(Data("braind: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(InspectOutput(inspection: facts)), as: UTF8.self))
    }
}

/// The inspection plus the schema this binary writes, so a reader can tell newer from older.
struct InspectOutput: Encodable {
    var inspection: DatabaseInspection
    var binarySchemaVersion = DatabaseInspection.binarySchemaVersion

    enum CodingKeys: String, CodingKey {
        case inspection
        case binarySchemaVersion = "binary_schema_version"
    }
}
