import BrainCore
import Foundation

/// Prints a value as indented JSON with sorted keys (the `--json` form of every command).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints rows as aligned columns; the last column is cut to keep one line per row.
func printTable(headers: [String], rows: [[String]], lastColumnWidth: Int = 60) {
    let rows = rows.map { row in
        row.enumerated().map { index, cell -> String in
            let flat = cell.replacingOccurrences(of: "\n", with: " ")
            guard index == row.count - 1, flat.count > lastColumnWidth else { return flat }
            return String(flat.prefix(lastColumnWidth - 1)) + "…"
        }
    }
    var widths = headers.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(headers))
    for row in rows { print(line(row)) }
}
