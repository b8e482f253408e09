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
