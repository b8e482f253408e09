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
        var compact = ""
        for (offset, character) in trimmed.enumerated() {
            switch character {
            case "0"..."9": compact.append(character)
            case "k", "K": compact.append("k")
            // Dots group thousands and one hyphen separates the check digit; both are cosmetic.
            case ".", "-": continue
            default: throw .invalidCharacter(input: input, character: character, position: offset + 1)
            }
        }
        guard compact.count >= 2 else { throw .tooShort(input: input) }
        let body = String(compact.dropLast())
        let given = compact.last!
        guard body.allSatisfy(\.isNumber) else { throw .misplacedK(input: input) }
        // Seven or eight body digits cover every RUT issued; allow a little room for old and
        // company-range numbers, but not arbitrary digit strings.
        guard body.count <= 9 else { throw .tooLong(input: input) }
        let bodyWithoutLeadingZeros = String(body.drop(while: { $0 == "0" }))
        guard !bodyWithoutLeadingZeros.isEmpty else { throw .tooShort(input: input) }
        if verifyCheckDigit {
            let expected = RUT.checkDigit(forBody: bodyWithoutLeadingZeros)
            guard given == expected else {
                throw .wrongCheckDigit(input: input, given: given, expected: expected)
            }
        }
        normalized = bodyWithoutLeadingZeros + String(given)
    }

    /// The modulo-11 check digit for the digits of a RUT body: `0`–`9` or `k`.
    public static func checkDigit(forBody body: String) -> Character {
        var sum = 0
        var factor = 2
        for character in body.reversed() {
            sum += (character.wholeNumberValue ?? 0) * factor
            factor = factor == 7 ? 2 : factor + 1
        }
        switch 11 - sum % 11 {
        case 11: return "0"
        case 10: return "k"
        case let digit: return Character(String(digit))
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
