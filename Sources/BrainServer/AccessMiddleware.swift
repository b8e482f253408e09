import BrainCore
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Who may use the socket, and with what scope.
public struct AccessSettings: Sendable {
    /// Users besides root and braind's own user allowed to connect.
    public var allowedUIDs: Set<UInt32> = []
    /// Refuse requests that carry no token.
    public var requireToken = false

    public init(allowedUIDs: Set<UInt32> = [], requireToken: Bool = false) {
        self.allowedUIDs = allowedUIDs
        self.requireToken = requireToken
    }
}

/// Checks every request: the peer's uid (SO_PEERCRED) against root, braind's own uid and
/// `access.allowed_uids`; then an `Authorization: Bearer` token, which narrows access to one
/// owner's brain. Without a token the socket owner has full access unless tokens are required.
struct AccessMiddleware<Context: BrainContext>: RouterMiddleware {
    let database: any TokenStore & MemoryStore & OwnerStore
    let settings: AccessSettings
    private let ownUID = getuid()
    /// Peer credentials by connection, dropped when the connection closes.
    private let peers = PeerCache()

    init(database: any TokenStore & MemoryStore & OwnerStore, settings: AccessSettings) {
        self.database = database
        self.settings = settings
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let peer = try await peerCredentials(context) {
            guard peer.uid == 0 || peer.uid == ownUID || settings.allowedUIDs.contains(peer.uid) else {
                context.logger.warning(
                    "refused a client that is not allowed", metadata: ["braind.peer.pid": "\(peer.pid)", "braind.peer.uid": "\(peer.uid)"])
                // Nothing this client sends will be served: close rather than keep its connection.
                throw APIError(status: .forbidden, code: "forbidden", message: "uid \(peer.uid) may not use this socket (access.allowed_uids)")
                    .closingConnection()
            }
        }
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), case let token = String(header.dropFirst(7)), !token.isEmpty else {
                throw APIError(status: .unauthorized, code: "invalid_token", message: "Authorization must be 'Bearer TOKEN'")
            }
            guard let stored = try await database.token(hash: AccessTokenHash.of(token)) else {
                throw APIError(status: .unauthorized, code: "invalid_token", message: "unknown or revoked token")
            }
            context.principal = .token(stored)
        } else if settings.requireToken && request.uri.path != "/v1/ping" {
            throw APIError(status: .unauthorized, code: "token_required", message: "this braind requires a token (access.require_token)")
        }
        return try await next(request, context)
    }

    /// The peer's pid and uid, or nil when the connection is not a Unix socket (in-process tests).
    /// Read once per connection: a keep-alive client's later requests cost no socket call.
    private func peerCredentials(_ context: Context) async throws -> PeerCredentials? {
        guard let channel = context.channel, let provider = channel as? any SocketOptionProvider else { return nil }
        let key = ObjectIdentifier(channel)
        if let known = peers.withLock({ $0[key] }) { return known }
        let credentials: PeerCredentials
        do {
            credentials = try await provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)).get()
        } catch {
            // A socket whose peer cannot be identified is refused rather than trusted.
            throw APIError(status: .forbidden, code: "forbidden", message: "cannot identify the connecting process").closingConnection()
        }
        peers.withLock { $0[key] = credentials }
        let peers = self.peers
        channel.closeFuture.whenComplete { _ in peers.withLock { _ = $0.removeValue(forKey: key) } }
        return credentials
    }
}

/// Tokens are stored only as hex SHA-256.
public enum AccessTokenHash {
    public static func of(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Shared, lock-protected map from connection to its peer's credentials.
final class PeerCache: Sendable {
    private let storage = Mutex<[ObjectIdentifier: PeerCredentials]>([:])

    func withLock<T>(_ body: (inout [ObjectIdentifier: PeerCredentials]) -> T) -> T {
        storage.withLock { body(&$0) }
    }
}

/// Linux's `struct ucred` (pid_t, uid_t, gid_t), which Glibc's Swift overlay does not export.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
