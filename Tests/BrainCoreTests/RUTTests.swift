import BrainCore
import Testing

struct RUTTests {
    @Test(
        "Valid spellings normalize to digits plus lowercase check digit",
        arguments: [
            ("12.345.678-5", "123456785"),
            ("12345678-5", "123456785"),
            ("123456785", "123456785"),
            ("  12.345.678-5  ", "123456785"),
            ("11.111.111-1", "111111111"),
            ("10.000.013-K", "10000013k"),
            ("10000013k", "10000013k"),
            ("76.086.428-5", "760864285"),
            ("1-9", "19"),
            ("00.000.001-9", "19"),
        ])
    func normalizes(input: String, normalized: String) throws {
        #expect(try RUT(input).normalized == normalized)
    }

    @Test("The seed's own example RUTs fail the check digit, and the error names the expected digit")
    func seedExamplesAreInvalid() {
        #expect(throws: RUTError.wrongCheckDigit(input: "12.345.678-K", given: "k", expected: "5")) {
            try RUT("12.345.678-K")
        }
        #expect(throws: RUTError.wrongCheckDigit(input: "98765432k", given: "k", expected: "5")) {
            try RUT("98765432k")
        }
        do {
            _ = try RUT("98765432k")
            Issue.record("a wrong check digit was accepted")
        } catch {
            #expect(error.description == "RUT '98765432k' has check digit 'k' but its body requires '5'")
        }
    }

    @Test(
        "Garbage is rejected with a reason",
        arguments: ["", "   ", "abc", "12.345.678-", "1", "12k45678-5", "12,345,678-5", "1234567890-1", "0-0", "--"])
    func rejectsGarbage(input: String) {
        #expect(throws: RUTError.self) { try RUT(input) }
    }

    @Test("The check switch accepts unverified RUTs for synthetic data")
    func uncheckedMode() throws {
        #expect(try RUT("12.345.678-K", verifyCheckDigit: false).normalized == "12345678k")
        #expect(throws: RUTError.self) { try RUT("12.345.678-X", verifyCheckDigit: false) }
    }

    @Test("Check digits follow modulo 11", arguments: [("12345678", "5"), ("10000013", "k"), ("11111111", "1"), ("7", "8"), ("10000004", "0")])
    func checkDigit(body: String, digit: Character) {
        #expect(RUT.checkDigit(forBody: body) == digit)
    }

    @Test("Parsing bytes agrees with the Character-based parser it replaced, outcome and error alike")
    func agreesWithCharacterParser() {
        // Digits, separators, both Ks, spaces, and characters a RUT may not hold: ASCII letters and
        // punctuation, a tab, an accented letter, a full-width and an Arabic-Indic digit, an emoji.
        let alphabet: [Character] = Array("0123456789012345678901234567890123456789kK.-.- ") + ["x", "#", ",", "\t", "é", "１", "٣", "🙂"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20_000 {
            let length = round < 200 ? round % 14 : Int.random(in: 0...14, using: &generator)
            let input = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            for verify in [true, false] {
                let parsed = Result { () throws(RUTError) in try RUT(input, verifyCheckDigit: verify).normalized }
                let reference = Result { () throws(RUTError) in try ReferenceRUT.parse(input, verifyCheckDigit: verify) }
                #expect(parsed == reference, "input \(input.debugDescription), verify \(verify)")
            }
        }
    }

    @Test func formatted() throws {
        #expect(try RUT("123456785").formatted == "12.345.678-5")
        #expect(try RUT("19").formatted == "1-9")
    }

    @Test("Owner references accept a RUT or a UUID")
    func ownerReference() throws {
        #expect(try OwnerReference("12.345.678-5") == .rut(try RUT("123456785")))
        let uuid = "2b9f2c1e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
        #expect(try OwnerReference(uuid).description == uuid)
        #expect(throws: BrainError.self) { try OwnerReference("not-an-owner") }
    }
}

/// The Character-based parser `RUT.init` used before it read bytes,
/// kept as the reference its replacement must agree with.
private enum ReferenceRUT {
    static func parse(_ input: String, verifyCheckDigit: Bool) throws(RUTError) -> String {
        let trimmed = input.trimmingWhitespace(newlines: false)
        guard !trimmed.isEmpty else { throw .empty }
        var compact = ""
        for (offset, character) in trimmed.enumerated() {
            switch character {
            case "0"..."9": compact.append(character)
            case "k", "K": compact.append("k")
            case ".", "-": continue
            default: throw .invalidCharacter(input: input, character: character, position: offset + 1)
            }
        }
        guard compact.count >= 2 else { throw .tooShort(input: input) }
        let body = String(compact.dropLast())
        let given = compact.last!
        guard body.allSatisfy(\.isNumber) else { throw .misplacedK(input: input) }
        guard body.count <= 9 else { throw .tooLong(input: input) }
        let bodyWithoutLeadingZeros = String(body.drop(while: { $0 == "0" }))
        guard !bodyWithoutLeadingZeros.isEmpty else { throw .tooShort(input: input) }
        if verifyCheckDigit {
            var sum = 0
            var factor = 2
            for character in bodyWithoutLeadingZeros.reversed() {
                sum += (character.wholeNumberValue ?? 0) * factor
                factor = factor == 7 ? 2 : factor + 1
            }
            let expected: Character = switch 11 - sum % 11 {
            case 11: "0"
            case 10: "k"
            case let digit: Character(String(digit))
            }
            guard given == expected else { throw .wrongCheckDigit(input: input, given: given, expected: expected) }
        }
        return bodyWithoutLeadingZeros + String(given)
    }
}
