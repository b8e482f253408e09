/// A secret value (a key, a token, a password) that never prints: logs, status and errors that
/// interpolate it show `<redacted>`. Read ``value`` only where the secret is used.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    /// Compares with a candidate in time that depends only on the candidate's length, so a
    /// caller guessing the secret learns nothing from how fast a wrong guess is refused.
    public func matches(_ candidate: some StringProtocol) -> Bool {
        let secret = Array(value.utf8)
        let guess = Array(candidate.utf8)
        var difference = UInt8(truncatingIfNeeded: secret.count ^ guess.count)
        for index in guess.indices {
            difference |= guess[index] ^ (index < secret.count ? secret[index] : 0)
        }
        return difference == 0 && !secret.isEmpty
    }
}
