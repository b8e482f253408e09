import ArgumentParser
import BrainCore

/// `braind`: serves by default (`braind [serve] [--socket ...]`); `braind restore` is the one
/// command that runs with the daemon stopped. The daemon's options live on `serve`, not here:
/// ArgumentParser hands a parent's options to the parent even after a subcommand's name, so a
/// `--db` on both would never reach `restore`.
@main
struct BraindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "braind",
        abstract: "Local memory daemon for AI agents: SQLite brain tables, Mem0 sync, a Unix-socket API.",
        discussion: "`braind` alone serves; `braind serve --help` lists the daemon's options.",
        version: BrainVersion.withCommit,
        subcommands: [ServeCommand.self, RestoreCommand.self, InspectCommand.self],
        defaultSubcommand: ServeCommand.self)
}
