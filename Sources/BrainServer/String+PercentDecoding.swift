import Foundation

extension String {
    /// A path parameter with its percent escapes decoded; text without `%` is returned as is.
    /// Foundation's `removingPercentEncoding` goes through NSString on Linux even when there is
    /// nothing to decode: 5.7 % of the request threads' time on a save, for an owner that is
    /// almost always plain digits or a UUID.
    var percentDecoded: String {
        guard utf8.contains(UInt8(ascii: "%")) else { return self }
        return removingPercentEncoding ?? self
    }
}
