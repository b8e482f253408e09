import Foundation

/// Splits a migration file into statements. PostgresNIO speaks only the extended query protocol,
/// which takes one statement per query, while a migration is a script. The split honours what
/// may hold a `;` that does not end a statement: quoted strings and identifiers, dollar-quoted
/// bodies (`$$ … $$`, `$f$ … $f$`) and comments.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        var hasCode = false

        func finish() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if hasCode && !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func copy(until end: Int) {
            current.append(contentsOf: characters[index..<min(end, characters.count)])
            index = min(end, characters.count)
        }
        /// The index just past the first occurrence of `needle` at or after `start`, or the end.
        func after(_ needle: [Unicode.Scalar], from start: Int) -> Int {
            var position = start
            while position + needle.count <= characters.count {
                if Array(characters[position..<position + needle.count]) == needle { return position + needle.count }
                position += 1
            }
            return characters.count
        }

        while index < characters.count {
            let scalar = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch scalar {
            case "-" where next == "-":
                // A comment alone does not make a statement.
                let end = after(["\n"], from: index)
                index = end
                current.append("\n")
            case "/" where next == "*":
                index = after(["*", "/"], from: index + 2)
                current.append(" ")
            case "'", "\"":
                hasCode = true
                var end = index + 1
                // A doubled quote is an escaped quote inside the string.
                while end < characters.count {
                    if characters[end] == scalar {
                        if end + 1 < characters.count && characters[end + 1] == scalar { end += 2; continue }
                        break
                    }
                    end += 1
                }
                copy(until: end + 1)
            case "$":
                hasCode = true
                var end = index + 1
                while end < characters.count, characters[end] == "_" || characters[end].properties.isAlphabetic
                    || (end > index + 1 && ("0"..."9").contains(characters[end]))
                {
                    end += 1
                }
                if end < characters.count && characters[end] == "$" {
                    let tag = Array(characters[index...end])
                    copy(until: after(tag, from: end + 1))
                } else {
                    copy(until: index + 1)  // $1 and the like
                }
            case ";":
                index += 1
                finish()
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
                current.append(scalar)
                index += 1
            }
        }
        finish()
        return statements
    }
}
