import BrainCore
import Hummingbird
import NIOCore

/// A request context that knows who is asking.
public protocol BrainContext: RequestContext {
    /// Set by `AccessMiddleware` before any route runs.
    var principal: Principal { get set }
    /// The connection, for reading the peer's credentials.
    var channel: (any Channel)? { get }
}

/// The request context of the API.
public struct BrainRequestContext: BrainContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal = .full
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
