import ArgumentParser
import BrainCore
import BrainServer
import Foundation

/// `brain`: the command-line client of braind.
@main
struct BrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brain",
        abstract: "Save, read and inspect AI-agent memories kept by braind.",
        version: BrainVersion.withCommit,
        subcommands: [
            SaveCommand.self, GetCommand.self, ListCommand.self, DeleteCommand.self, StatusCommand.self,
            SearchCommand.self, ImportCommand.self, TokenCommand.self, BenchCommand.self, LoadCommand.self, RetryCommand.self, ReconcileCommand.self, RetargetCommand.self, WebhookCommand.self, PingCommand.self, MCPCommand.self,
            BackupCommand.self, ExportCommand.self, DoctorCommand.self,
        ])
}

/// Options every subcommand shares: where the daemon is and how to print.
struct GlobalOptions: ParsableArguments {
    @Option(help: "braind's socket (default: $BRAIND_SOCKET, config, $XDG_RUNTIME_DIR/braind/braind.sock).")
    var socket: String?

    @Option(help: "Configuration file used to find the socket (default: as braind).")
    var config: String?

    @Option(help: "A scoped access token (default: $BRAIN_TOKEN); without one the socket owner's access is used.")
    var token: String?

    @Flag(help: "Print JSON, for scripts.")
    var json = false

    /// The socket client, found the same way braind finds its socket.
    func client() throws -> DaemonClient {
        let paths = RuntimePaths()
        let configuration: BrainConfiguration?
        do {
            configuration = try paths.configFile(flag: config).map { try BrainConfiguration.load(path: $0) }
        } catch {
            throw CLIError(message: "\(error)", hint: "fix the configuration file or pass --socket")
        }
        let token = token ?? ProcessInfo.processInfo.environment["BRAIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return DaemonClient(socketPath: paths.socket(flag: socket, configuration: configuration), token: token)
    }
}

/// Which brain a command addresses.
extension BrainKind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let kind = BrainKind(name: argument) else { return nil }
        self = kind
    }

    public static var allValueStrings: [String] { ["company", "user"] }
}
