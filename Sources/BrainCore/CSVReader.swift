/// A small RFC 4180 CSV reader: quoted fields, doubled quotes inside them, delimiters and line
/// breaks inside quotes, and CRLF, LF or lone CR line endings.
///
/// braind carries its own reader because `BrainCore` may not take a new package dependency
/// without a change to `Package.swift`; SwiftCSV (swiftcsv/SwiftCSV) would do the same job. What
/// a package reader would not give for free is the starting physical line of each record, which
/// the import needs for its error reports.
///
/// It works on UTF-8 bytes rather than `Character`s on purpose: Swift treats "\r\n" as a single
/// `Character`, which makes CRLF handling easy to get subtly wrong.
struct CSVReader {
    /// One record: its fields, unmodified, and the physical line it starts on (1-based).
    struct Record: Sendable, Equatable {
        var line: Int
        var fields: [String]
    }

    /// A structural problem that stops reading: the rest of the file cannot be trusted.
    struct Problem: Error, Sendable, Equatable {
        var line: Int
        var reason: String
    }

    /// The field separator: `,` by RFC 4180, or `;` as spreadsheets write it where the comma is the
    /// decimal separator (Chile among them).
    var delimiter: UInt8 = UInt8(ascii: ",")

    /// Picks `;` when the first line has semicolons and no commas, else `,`. Column names never
    /// contain either, so the header line alone decides reliably.
    static func detectDelimiter(in bytes: some Collection<UInt8>) -> UInt8 {
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let comma = UInt8(ascii: ","), semicolon = UInt8(ascii: ";")
        return firstLine.contains(semicolon) && !firstLine.contains(comma) ? semicolon : comma
    }

    /// Reads every record. Empty lines are skipped; a line with only delimiters is kept (the
    /// caller decides whether a record of empty fields matters).
    func records(in bytes: [UInt8]) throws(Problem) -> [Record] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var fieldWasQuoted = false
        var afterClosingQuote = false
        var quoteOpenedOn = 0
        var index = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
            afterClosingQuote = false
        }
        func endRecord() {
            let wasQuoted = fieldWasQuoted
            endField()
            // A physically empty line is not a record; `""` on its own line is (one empty field).
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll()
        }

        while index < bytes.count {
            let byte = bytes[index]
            if fieldWasQuoted && !afterClosingQuote {
                // Inside a quoted field: everything is data except a quote.
                if byte == quote {
                    if index + 1 < bytes.count && bytes[index + 1] == quote {
                        field.append(quote)
                        index += 2
                        continue
                    }
                    afterClosingQuote = true
                } else {
                    if byte == lf || (byte == cr && (index + 1 == bytes.count || bytes[index + 1] != lf)) {
                        line += 1
                    }
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case delimiter:
                endField()
            case cr, lf:
                endRecord()
                if byte == cr && index + 1 < bytes.count && bytes[index + 1] == lf { index += 1 }
                line += 1
                recordLine = line
            case quote where field.isEmpty && !fieldWasQuoted:
                fieldWasQuoted = true
                quoteOpenedOn = line
            case let blank where afterClosingQuote && (blank == UInt8(ascii: " ") || blank == UInt8(ascii: "\t")):
                break  // `"a" ,` is common enough in hand-edited files to forgive
            default:
                if afterClosingQuote {
                    throw Problem(line: line, reason: "unexpected text after a closing quote; a quote inside a quoted field is written twice (\"\")")
                }
                // A quote in the middle of an unquoted field (`5" pantalla`) is kept as data:
                // RFC 4180 does not allow it, but refusing it helps nobody.
                field.append(byte)
            }
            index += 1
        }
        if fieldWasQuoted && !afterClosingQuote {
            throw Problem(line: quoteOpenedOn, reason: "a quoted field opened on this line is never closed")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            endRecord()
        }
        return records
    }
}
