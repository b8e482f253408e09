import Foundation

/// A Chilean RUT (Rol Único Tributario), the owner identity used as Mem0's entity id.
///
/// The normalized form is the body digits followed by the lowercase check digit, with no dots or
/// hyphen: `12.345.678-5` → `123456785`. That form is what Mem0 sees as `user_id`, so two spellings
/// of one RUT can never become two Mem0 entities.
public struct RUT: Sendable, Hashable, CustomStringConvertible {
    /// Digits plus lowercase check digit, e.g. `123456785` or `1000005k`.
    public let normalized: String

    /// Parses and normalizes a RUT.
    ///
    /// Accepts `12.345.678-5`, `12345678-5`, `123456785`, an upper or lower `K`, and surrounding
    /// spaces.
    /// - Parameters:
    ///   - input: the RUT as a person or a system wrote it.
    ///   - verifyCheckDigit: reject a RUT whose modulo-11 check digit is wrong. Only synthetic
    ///     data sets should turn this off (`identity.verify_rut_check_digit = false`).
    public init(_ input: String, verifyCheckDigit: Bool = true) throws(RUTError) {
        let trimmed = input.trimmingWhitespace(newlines: false)
        guard !trimmed.isEmpty else { throw .empty }
        // UTF-8 bytes, not Characters: every character a RUT may hold is ASCII, and breaking the
        // text into grapheme clusters was most of a save's cost of parsing its owner.
        var compact: [UInt8] = []
        compact.reserveCapacity(trimmed.utf8.count)
        for byte in trimmed.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): compact.append(byte)
            case UInt8(ascii: "k"), UInt8(ascii: "K"): compact.append(UInt8(ascii: "k"))
            // Dots group thousands and one hyphen separates the check digit; both are cosmetic.
            case UInt8(ascii: "."), UInt8(ascii: "-"): continue
            default: throw Self.invalidCharacter(in: trimmed, input: input)
            }
        }
        guard compact.count >= 2 else { throw .tooShort(input: input) }
        let given = compact.removeLast()
        guard !compact.contains(UInt8(ascii: "k")) else { throw .misplacedK(input: input) }
        // Seven or eight body digits cover every RUT issued; allow a little room for old and
        // company-range numbers, but not arbitrary digit strings.
        guard compact.count <= 9 else { throw .tooLong(input: input) }
        let body = compact.drop(while: { $0 == UInt8(ascii: "0") })
        guard !body.isEmpty else { throw .tooShort(input: input) }
        if verifyCheckDigit {
            let expected = Self.checkDigit(forDigits: body)
            guard given == expected else {
                throw .wrongCheckDigit(input: input, given: Character(Unicode.Scalar(given)), expected: Character(Unicode.Scalar(expected)))
            }
        }
        normalized = String(decoding: body + CollectionOfOne(given), as: UTF8.self)
    }

    /// The error for a RUT with a character it may not hold: the first such character, counted in
    /// characters as a person reads the text.
    private static func invalidCharacter(in trimmed: String, input: String) -> RUTError {
        let allowed: Set<Character> = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "k", "K", ".", "-"]
        let (offset, character) = trimmed.enumerated().first { !allowed.contains($0.element) } ?? (0, " ")
        return .invalidCharacter(input: input, character: character, position: offset + 1)
    }

    /// The modulo-11 check digit for the digits of a RUT body: `0`–`9` or `k`.
    public static func checkDigit(forBody body: String) -> Character {
        Character(Unicode.Scalar(checkDigit(forDigits: body.utf8)))
    }

    /// The modulo-11 check digit, as an ASCII byte, for ASCII digits (anything else counts as 0).
    private static func checkDigit(forDigits digits: some BidirectionalCollection<UInt8>) -> UInt8 {
        var sum = 0
        var factor = 2
        for byte in digits.reversed() {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { sum += Int(byte - UInt8(ascii: "0")) * factor }
            factor = factor == 7 ? 2 : factor + 1
        }
        switch 11 - sum % 11 {
        case 11: return UInt8(ascii: "0")
        case 10: return UInt8(ascii: "k")
        case let digit: return UInt8(ascii: "0") + UInt8(digit)
        }
    }

    /// The conventional display form, `12.345.678-5`.
    public var formatted: String {
        let body = Array(normalized.dropLast())
        var groups: [String] = []
        var end = body.count
        while end > 0 {
            let start = max(0, end - 3)
            groups.insert(String(body[start..<end]), at: 0)
            end = start
        }
        return groups.joined(separator: ".") + "-" + String(normalized.last!)
    }

    public var description: String { normalized }
}

/// Why a string is not a RUT. Every case names the input so the message stands on its own.
public enum RUTError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case invalidCharacter(input: String, character: Character, position: Int)
    case misplacedK(input: String)
    case tooShort(input: String)
    case tooLong(input: String)
    case wrongCheckDigit(input: String, given: Character, expected: Character)

    public var description: String {
        switch self {
        case .empty:
            return "RUT is empty"
        case .invalidCharacter(let input, let character, let position):
            return "RUT '\(input)' has an invalid character '\(character)' at position \(position)"
        case .misplacedK(let input):
            return "RUT '\(input)' has a 'K' outside the check digit position"
        case .tooShort(let input):
            return "RUT '\(input)' is too short: it needs body digits and a check digit"
        case .tooLong(let input):
            return "RUT '\(input)' is too long: at most 9 body digits and a check digit"
        case .wrongCheckDigit(let input, let given, let expected):
            return "RUT '\(input)' has check digit '\(given)' but its body requires '\(expected)'"
        }
    }
}
