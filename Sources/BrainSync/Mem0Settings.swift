import Foundation

/// Which Mem0 API braind speaks (`mem0.api`, `MEM0_API`).
public enum Mem0API: String, Sendable, Codable, CaseIterable {
    /// The hosted Platform (`api.mem0.ai`): `/v1`, `/v3`, `Authorization: Token`, asynchronous adds.
    case platform
    /// Mem0's self-hosted OSS REST server: no prefix, `X-API-Key`, synchronous adds, capped listings.
    case oss
}

/// Connection settings for ``Mem0HTTPClient`` and ``Mem0OSSClient``.
///
/// The API key never appears in `description`, `debugDescription` or `dump` output,
/// so a settings value can be logged safely.
public struct Mem0Settings: Sendable {
    /// The Platform's public endpoint.
    public static let defaultBaseURL = URL(string: "https://api.mem0.ai")!
    /// The largest `page_size` the Platform accepts on list.
    public static let maxListPageSize = 200

    /// Sent as `Authorization: Token <apiKey>`.
    public var apiKey: String
    /// Scheme, host and optional path prefix; request paths are appended to it.
    public var baseURL: URL
    /// Time allowed for one HTTP request (connect, send, wait, receive), as one deadline.
    public var requestTimeout: Duration
    /// Wait between two polls of an add's event.
    public var eventPollInterval: Duration
    /// Most polls of one add's event before giving up.
    public var eventPollMaxAttempts: Int
    /// Most total time spent polling one add's event before giving up.
    public var eventPollMaxDuration: Duration
    /// `page_size` used when listing; clamped to 1...``maxListPageSize``.
    public var listPageSize: Int
    /// Connections to Mem0 kept open at once; at least the push worker's concurrency.
    public var maxConnections: Int = 64

    /// Creates settings.
    /// - Parameters:
    ///   - apiKey: The Mem0 API key (`m0-...`).
    ///   - baseURL: Defaults to ``defaultBaseURL``.
    ///   - requestTimeout: Defaults to 30 seconds.
    ///   - eventPollInterval: Defaults to 1.5 seconds, what mem0's own CLI uses.
    ///   - eventPollMaxAttempts: Defaults to 40.
    ///   - eventPollMaxDuration: Defaults to 60 seconds.
    ///   - listPageSize: Defaults to 200, the Platform maximum.
    public init(
        apiKey: String,
        baseURL: URL = Mem0Settings.defaultBaseURL,
        requestTimeout: Duration = .seconds(30),
        eventPollInterval: Duration = .milliseconds(1500),
        eventPollMaxAttempts: Int = 40,
        eventPollMaxDuration: Duration = .seconds(60),
        listPageSize: Int = Mem0Settings.maxListPageSize
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
        self.eventPollInterval = eventPollInterval
        self.eventPollMaxAttempts = eventPollMaxAttempts
        self.eventPollMaxDuration = eventPollMaxDuration
        self.listPageSize = listPageSize
    }

    /// The key as it may be shown: only its length, so two configurations can still be told apart.
    var redactedKey: String { apiKey.isEmpty ? "<empty>" : "<redacted \(apiKey.count) chars>" }
}

extension Mem0Settings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Mem0Settings(baseURL: \(baseURL.absoluteString), apiKey: \(redactedKey), "
            + "requestTimeout: \(requestTimeout), eventPollInterval: \(eventPollInterval), "
            + "eventPollMaxAttempts: \(eventPollMaxAttempts), eventPollMaxDuration: \(eventPollMaxDuration), "
            + "listPageSize: \(listPageSize))"
    }

    public var debugDescription: String { description }

    // `dump` and the debugger walk stored properties through Mirror; without this the key would show.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "apiKey": redactedKey,
                "baseURL": baseURL,
                "requestTimeout": requestTimeout,
                "eventPollInterval": eventPollInterval,
                "eventPollMaxAttempts": eventPollMaxAttempts,
                "eventPollMaxDuration": eventPollMaxDuration,
                "listPageSize": listPageSize,
            ],
            displayStyle: .struct
        )
    }
}
