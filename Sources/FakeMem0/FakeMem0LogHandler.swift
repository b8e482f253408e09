import Logging
import Synchronization

/// Forwards to the configured log handler, but drops everything below `.critical` once the
/// server is stopping.
///
/// ``FakeMem0Server/stop()`` cuts the handlers' waits short, and Hummingbird logs the resulting
/// `CancellationError` at error level; in a test run that would print one alarming line per
/// test for an orderly stop.
struct FakeMem0LogHandler: LogHandler {
    /// Set once by `stop()`; shared by every copy of the handler.
    final class StopFlag: Sendable {
        private let value = Atomic(false)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func set() { value.store(true, ordering: .relaxed) }
    }

    var upstream: any LogHandler
    let stopping: StopFlag

    func log(event: LogEvent) {
        if stopping.isSet && event.level < .critical { return }
        upstream.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { upstream[metadataKey: key] }
        set { upstream[metadataKey: key] = newValue }
    }

    var metadata: Logger.Metadata {
        get { upstream.metadata }
        set { upstream.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { upstream.logLevel }
        set { upstream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { upstream.metadataProvider }
        set { upstream.metadataProvider = newValue }
    }
}
