import FakeMem0
import Foundation
import Testing

struct FakeJSONSerializationTests {
    @Test func serializationMatchesJSONEncoderByteForByte() throws {
        let value: FakeJSON = [
            "z": [1, -2, 9_007_199_254_740_993, true, false, nil],
            "a": ["nested": ["deeper": "ok"], "empty": [:], "list": []],
            "text": "quote \" backslash \\ slash / newline \n tab \t return \r bell \u{07} ñandú 🧠",
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: value.serialized(), as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    @Test func doublesRoundTripAndNonFiniteBecomesNull() throws {
        let value: FakeJSON = ["score": 0.25, "big": 1.5e300, "bad": .double(.nan)]
        let decoded = try JSONDecoder().decode(FakeJSON.self, from: Data(value.serialized()))
        #expect(decoded == ["score": 0.25, "big": 1.5e300, "bad": nil])
    }
}
