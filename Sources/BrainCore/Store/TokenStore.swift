/// Scoped access tokens. Only hashes are stored; the token itself is shown once, at creation.
public protocol TokenStore: Sendable {
    /// Stores a new token's hash and scope.
    func createToken(hash: String, brain: BrainKind, rut: String, readOnly: Bool) async throws -> AccessToken
    /// The live token with this hash, if any.
    func token(hash: String) async throws -> AccessToken?
    /// Every token, newest first (hashes are never returned).
    func tokens() async throws -> [AccessToken]
    /// Revokes a token; false when no live token has that id.
    func revokeToken(id: String) async throws -> Bool
}
