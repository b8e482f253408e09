@testable import BrainCore
import Testing

struct CSVReaderTests {
    private func read(_ text: String, delimiter: Character = ",") throws -> [CSVReader.Record] {
        try CSVReader(delimiter: UInt8(ascii: delimiter.unicodeScalars.first!)).records(in: Array(text.utf8))
    }

    @Test("RFC 4180: quotes, doubled quotes, delimiters and line breaks inside quotes")
    func quoting() throws {
        let records = try read("a,b,c\n\"x, y\",\"say \"\"hola\"\"\",\"uno\ndos\"\nlast,,\"\"")
        #expect(records == [
            CSVReader.Record(line: 1, fields: ["a", "b", "c"]),
            CSVReader.Record(line: 2, fields: ["x, y", "say \"hola\"", "uno\ndos"]),
            CSVReader.Record(line: 4, fields: ["last", "", ""]),
        ])
    }

    @Test("CRLF, LF and lone CR all end a record; empty lines are skipped, but not a quoted empty field")
    func lineEndings() throws {
        let records = try read("a\r\nb\n\nc\rd\r\n\"\"\n")
        #expect(records.map(\.fields) == [["a"], ["b"], ["c"], ["d"], [""]])
        #expect(records.map(\.line) == [1, 2, 4, 5, 6])
    }

    @Test("A CRLF inside quotes is data and counts as one line")
    func crlfInsideQuotes() throws {
        let records = try read("\"a\r\nb\",c\r\nd,e\r\n")
        #expect(records == [
            CSVReader.Record(line: 1, fields: ["a\r\nb", "c"]),
            CSVReader.Record(line: 3, fields: ["d", "e"]),
        ])
    }

    @Test("A quote inside an unquoted field is data; spaces after a closing quote are forgiven")
    func leniency() throws {
        #expect(try read("pantalla 5\" HD,\"x\"  ,y").map(\.fields) == [["pantalla 5\" HD", "x", "y"]])
    }

    @Test("Structural errors name the line")
    func structuralErrors() {
        #expect(throws: CSVReader.Problem(line: 2, reason: "a quoted field opened on this line is never closed")) {
            try read("a\n\"b\nc")
        }
        #expect(throws: CSVReader.Problem.self) { try read("a\n\"b\"c") }
    }

    @Test("The delimiter is `;` only when the header has semicolons and no commas")
    func delimiter() throws {
        #expect(CSVReader.detectDelimiter(in: Array("rut;full_name\n1,5;x".utf8)) == UInt8(ascii: ";"))
        #expect(CSVReader.detectDelimiter(in: Array("rut,full_name;x\n".utf8)) == UInt8(ascii: ","))
        #expect(try read("a;\"b;c\"", delimiter: ";").map(\.fields) == [["a", "b;c"]])
    }
}

struct JSONArraySplitterTests {
    private func split(_ text: String) throws -> [(String, Int)] {
        let bytes = Array(text.utf8)
        return try JSONArraySplitter.elements(of: bytes).map { (String(decoding: bytes[$0.range], as: UTF8.self), $0.line) }
    }

    @Test("Strings with brackets, commas and escaped quotes do not split an element")
    func strings() throws {
        let elements = try split("[{\"a\": \"x], {\\\"y\\\"\"},\n [1, [2]],\n\"ñ\"]")
        #expect(elements.map(\.0) == ["{\"a\": \"x], {\\\"y\\\"\"}", "[1, [2]]", "\"ñ\""])
        #expect(elements.map(\.1) == [1, 2, 3])
    }

    @Test("An empty array has no elements; a stray comma is an empty element")
    func emptyAndStray() throws {
        #expect(try split(" [ \n ] \n").isEmpty)
        #expect(try split("[{},]").map(\.0) == ["{}", ""])
    }

    @Test("A broken outline throws", arguments: ["{}", "[{}", "[{}] x", "[{}}"])
    func broken(text: String) {
        #expect(throws: BrainError.self) { try split(text) }
    }
}

struct DateTextTests {
    @Test("Real calendar dates only", arguments: [
        ("2020-03-15", true), ("2024-02-29", true), ("2000-02-29", true), ("2023-02-29", false), ("1900-02-29", false),
        ("2020-04-31", false), ("2020-3-15", false), ("15-03-2020", false), ("2020/03/15", false), ("2020-03-+1", false),
        ("0000-01-01", false), ("2020-03-15T00:00", false),
    ])
    func dates(text: String, valid: Bool) {
        #expect(DateText.isDate(text) == valid)
    }

    @Test("Months are YYYY-MM with a month from 01 to 12", arguments: [
        ("2021-01", true), ("2021-12", true), ("2021-00", false), ("2021-13", false), ("2021-1", false), ("2021", false),
    ])
    func months(text: String, valid: Bool) {
        #expect(DateText.isMonth(text) == valid)
    }
}
