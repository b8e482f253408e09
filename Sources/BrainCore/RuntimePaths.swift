import Foundation

/// Where the socket, database and configuration live when no flag says otherwise. The daemon and
/// the CLI share this so they always meet at the same socket.
public struct RuntimePaths: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    private var home: String { environment["HOME"] ?? NSHomeDirectory() }

    /// `--config`, then `BRAIND_CONFIG`, then `$XDG_CONFIG_HOME/braind/braind.toml` (default
    /// `~/.config/braind/braind.toml`) if that file exists; otherwise no file.
    public func configFile(flag: String?) -> String? {
        if let flag { return flag }
        if let path = environment["BRAIND_CONFIG"], !path.isEmpty { return path }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
        let path = "\(base)/braind/braind.toml"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// `--socket`, then `BRAIND_SOCKET`, then `server.socket`, then
    /// `$XDG_RUNTIME_DIR/braind/braind.sock`; without `XDG_RUNTIME_DIR` (no login session, e.g. a
    /// container) it falls back to `/tmp/braind-UID/braind.sock`, as tmux does.
    public func socket(flag: String?, configuration: BrainConfiguration?) -> String {
        if let flag { return flag }
        if let path = environment["BRAIND_SOCKET"], !path.isEmpty { return path }
        if let path = configuration?.socketPath { return expand(path) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return "\(runtime)/braind/braind.sock"
        }
        return "/tmp/braind-\(getuid())/braind.sock"
    }

    /// `--db`, then `BRAIND_DB`, then `storage.database`, then
    /// `$XDG_DATA_HOME/braind/brain.sqlite` (default `~/.local/share/braind/brain.sqlite`).
    public func database(flag: String?, configuration: BrainConfiguration?) -> String {
        if let flag { return flag }
        if let path = environment["BRAIND_DB"], !path.isEmpty { return path }
        if let path = configuration?.databasePath { return expand(path) }
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.local/share"
        return "\(base)/braind/brain.sqlite"
    }

    /// Expands a leading `~/` so config files can name paths under the home directory.
    public func expand(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }
}
