import ArgumentParser
import FakeMem0
import Foundation
import Logging

/// `fake-mem0`: runs the Mem0 Platform stand-in until SIGINT or SIGTERM.
///
/// Prints `fake-mem0 listening on http://HOST:PORT` on stdout once it accepts connections,
/// so scripts can wait for that line. Logs go to stderr.
@main
struct FakeMem0Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-mem0",
        abstract: "A local stand-in for the Mem0 Platform REST API, with fault injection under /_control/."
    )

    @Option(help: "Interface to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one.")
    var port = 0

    @Option(name: .customLong("api-key"), help: "Accepted key, sent as 'Authorization: Token KEY'.")
    var apiKey = FakeMem0Settings.defaultAPIKey

    @Flag(name: .customLong("any-key"), help: "Accept any non-empty key instead of --api-key.")
    var anyKey = false

    @Option(name: .customLong("latency-ms"), help: "Fixed latency added to every Platform request.")
    var latencyMs = 0

    @Option(name: .customLong("add-mode"), help: "How add answers: infer (as documented), sync or async.")
    var addMode = FakeMem0AddMode.followInfer.rawValue

    @Option(name: .customLong("pending-polls"), help: "Event polls that answer PENDING before the outcome.")
    var pendingPolls = 1

    @Option(help: "Which API to serve: platform (the hosted API) or oss (the self-hosted REST server).")
    var api = FakeMem0API.platform.rawValue

    @Option(name: .customLong("update-metadata"), help: "What an update does with metadata: merge (as the OSS library) or replace.")
    var updateMetadata = FakeMem0MetadataUpdate.merge.rawValue

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard FakeMem0AddMode(rawValue: addMode) != nil else {
            throw ValidationError("--add-mode must be infer, sync or async")
        }
        guard FakeMem0API(rawValue: api) != nil else { throw ValidationError("--api must be platform or oss") }
        guard FakeMem0MetadataUpdate(rawValue: updateMetadata) != nil else {
            throw ValidationError("--update-metadata must be merge or replace")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard latencyMs >= 0, pendingPolls >= 0, (0...65535).contains(port) else {
            throw ValidationError("--latency-ms, --pending-polls and --port must not be negative")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "fake-mem0")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let settings = FakeMem0Settings(
            apiKey: anyKey ? nil : apiKey,
            latency: .milliseconds(latencyMs),
            addMode: FakeMem0AddMode(rawValue: addMode) ?? .followInfer,
            pendingPolls: pendingPolls,
            updateMetadata: FakeMem0MetadataUpdate(rawValue: updateMetadata) ?? .merge
        )
        var served = settings
        served.api = FakeMem0API(rawValue: api) ?? .platform
        let server = FakeMem0Server(configuration: .init(host: host, port: port, settings: served, logger: logger))
        try await server.start()
        // Written unbuffered, so a script reading a pipe sees the line at once.
        FileHandle.standardOutput.write(Data("fake-mem0 listening on \(server.baseURL.absoluteString)\n".utf8))
        let signal = await TerminationSignal.wait()
        logger.info("stopping on signal \(signal)")
        await server.stop()
        logger.info("stopped")
    }
}
