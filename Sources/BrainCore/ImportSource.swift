import Foundation

/// One row of an import file before validation: its fields as text and where it came from.
public struct SourceRow: Sendable, Equatable {
    /// The physical line the row starts on (CSV: the header is line 1).
    public var line: Int
    /// The 1-based element index, for JSON arrays only.
    public var item: Int?
    /// Column name to raw text. A JSON `null` is an empty string: both mean "no value".
    public var fields: [String: String]
    /// Why the whole row is unusable (bad JSON, wrong field count), if it is.
    public var problem: String?
}

/// An import file read into rows: the format-specific half of an import. Everything after this
/// (validation, upsert) is the same for CSV, JSON and JSON lines.
public struct ImportSource: Sendable {
    public var format: ImportFormat
    /// The CSV header's column names; nil for JSON, whose rows name their own fields.
    public var header: [String]?
    public var rows: [SourceRow]

    /// Reads `data` as `format`, or as the detected format when `format` is nil.
    /// - Parameter columns: the known column names. Any other name rejects the whole file, so a
    ///   typo in a header cannot silently drop a column.
    /// - Throws: `BrainError.invalid` for problems that make the whole file unusable.
    public static func read(_ data: Data, format: ImportFormat?, columns: [String]) throws(BrainError) -> ImportSource {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw .invalid(field: "file", reason: "is empty: expected CSV with a header row, a JSON array or JSON lines")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalid(field: "file", reason: "is not valid UTF-8; save it as UTF-8")
        }
        let known = Set(columns)
        let expected = "expected one of " + columns.joined(separator: ", ")
        let format = format ?? ImportFormat.detect(bytes)
        switch format {
        case .csv:
            return try readCSV(bytes, known: known, expected: expected)
        case .jsonLines:
            return ImportSource(format: format, header: nil, rows: try readJSONLines(bytes, known: known, expected: expected))
        case .json:
            let elements = try JSONArraySplitter.elements(of: bytes)
            var rows: [SourceRow] = []
            for (offset, element) in elements.enumerated() {
                var row = try jsonRow(Array(bytes[element.range]), line: element.line, known: known, expected: expected)
                row.item = offset + 1
                rows.append(row)
            }
            return ImportSource(format: format, header: nil, rows: rows)
        }
    }

    // MARK: - CSV

    private static func readCSV(_ bytes: [UInt8], known: Set<String>, expected: String) throws(BrainError) -> ImportSource {
        let reader = CSVReader(delimiter: CSVReader.detectDelimiter(in: bytes))
        let records: [CSVReader.Record]
        do {
            records = try reader.records(in: bytes)
        } catch {
            throw .invalid(field: "line \(error.line)", reason: error.reason)
        }
        guard let headerRecord = records.first else {
            throw .invalid(field: "file", reason: "has no header row")
        }
        // Spreadsheets like `RUT` or ` Email `; the names are otherwise matched exactly.
        let header = headerRecord.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var seen: Set<String> = []
        for (offset, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw .invalid(field: "line \(headerRecord.line)", reason: "header column \(offset + 1) has no name")
            }
            guard known.contains(name) else {
                throw .invalid(field: name, reason: "unknown column in the header (line \(headerRecord.line)); \(expected)")
            }
            guard seen.insert(name).inserted else {
                throw .invalid(field: name, reason: "column appears twice in the header (line \(headerRecord.line))")
            }
        }
        var rows: [SourceRow] = []
        for record in records.dropFirst() {
            // Spreadsheet exports end with rows of bare delimiters; they are not data.
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count == header.count else {
                let problem = "has \(record.fields.count) fields but the header has \(header.count)"
                rows.append(SourceRow(line: record.line, fields: [:], problem: problem))
                continue
            }
            rows.append(SourceRow(line: record.line, fields: Dictionary(uniqueKeysWithValues: zip(header, record.fields))))
        }
        return ImportSource(format: .csv, header: header, rows: rows)
    }

    // MARK: - JSON

    private static func readJSONLines(_ bytes: [UInt8], known: Set<String>, expected: String) throws(BrainError) -> [SourceRow] {
        var rows: [SourceRow] = []
        for (offset, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            rows.append(try jsonRow(Array(line), line: offset + 1, known: known, expected: expected))
        }
        return rows
    }

    /// Decodes one JSON object into a row. A malformed object is a bad row; an unknown field
    /// rejects the file, as an unknown CSV column does.
    private static func jsonRow(_ bytes: [UInt8], line: Int, known: Set<String>, expected: String) throws(BrainError) -> SourceRow {
        var row = SourceRow(line: line, fields: [:])
        guard !bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            row.problem = "is empty (a stray comma?)"
            return row
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            row.problem = "is not valid JSON"
            return row
        }
        guard case .object(let object) = value else {
            row.problem = "must be a JSON object"
            return row
        }
        for key in object.keys.sorted() {
            guard known.contains(key) else {
                throw .invalid(field: key, reason: "unknown field on line \(line); \(expected)")
            }
            switch object[key]! {
            case .string(let text): row.fields[key] = text
            case .int(let number): row.fields[key] = String(number)
            case .bool(let flag): row.fields[key] = flag ? "true" : "false"
            case .null: row.fields[key] = ""
            case .double, .array, .object:
                if row.problem == nil { row.problem = "\(key): must be a string" }
            }
        }
        return row
    }
}
