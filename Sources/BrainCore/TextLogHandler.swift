import Logging

/// The text log format: swift-log's `StreamLogHandler` on stderr, handed the logger's metadata
/// only when a line is written. `StreamLogHandler` formats its metadata each time it is set, and
/// Hummingbird sets a request id on every request's logger: 6 % of the request threads' time on a
/// save (perf, one connection), for lines that are almost never written.
public struct TextLogHandler: LogHandler {
    private var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    /// Writes to `stream` instead of stderr (tests).
    public init(label: String, stream: any TextOutputStream & Sendable) {
        self.stream = StreamLogHandler(label: label, stream: stream, metadataProvider: nil)
    }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var stream = self.stream
        stream.metadata = metadata
        stream.log(event: event)
    }
}
