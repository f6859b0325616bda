/// Finds the line on which a key path is written, by scanning the TOML source.
///
/// TOMLKit reports positions for syntax errors only, not for the values it returns, so the
/// loader keeps its own index: table headers (`[nodes]`, `[[fault]]`, counting array elements)
/// and `key = value` lines, with values skipped bracket- and string-aware so that multi-line
/// arrays are not mistaken for headers. Keys inside inline tables are not indexed; a lookup
/// falls back to the nearest enclosing path, which for an inline table is its own line.
/// The source has already parsed, so the scanner can assume well-formed TOML.
struct LineLocator: Sendable {
    private var lines: [String: Int] = [:]

    init(source: String) {
        var scanner = Scanner(bytes: Array(source.utf8))
        lines = scanner.run()
    }

    /// The 1-based line of `path`, or of its nearest enclosing path that is written in the file.
    func line(of path: String) -> Int? {
        var current: String? = path
        while let p = current {
            if let line = lines[p] { return line }
            current = KeyPath.parent(of: p)
        }
        return nil
    }

    /// The line of exactly `path`, without falling back to a parent.
    func exactLine(of path: String) -> Int? { lines[path] }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var found: [String: Int] = [:]
        /// Current element index of each array of tables, by its path.
        var arrayIndex: [String: Int] = [:]
        var table = ""

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8 { bytes[i] }

        mutating func run() -> [String: Int] {
            while !atEnd {
                skipBlanks()
                guard !atEnd else { break }
                switch peek {
                case UInt8(ascii: "\n"): advance()
                case UInt8(ascii: "#"): skipToEndOfLine()
                case UInt8(ascii: "["): header()
                default: keyValue()
                }
            }
            return found
        }

        mutating func advance() {
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            i += 1
        }

        mutating func skipBlanks() {
            while !atEnd, peek == UInt8(ascii: " ") || peek == UInt8(ascii: "\t") || peek == UInt8(ascii: "\r") { i += 1 }
        }

        mutating func skipToEndOfLine() {
            while !atEnd, peek != UInt8(ascii: "\n") { i += 1 }
        }

        /// `[a.b]` or `[[a.b]]`: sets the current table, numbering array elements.
        mutating func header() {
            let headerLine = line
            i += 1
            let isArray = !atEnd && peek == UInt8(ascii: "[")
            if isArray { i += 1 }
            let keys = parseKey()
            var path = ""
            for (n, key) in keys.enumerated() {
                path = KeyPath.child(path, key)
                let last = n == keys.count - 1
                if last && isArray {
                    if found[path] == nil { found[path] = headerLine }
                    let index = (arrayIndex[path] ?? -1) + 1
                    arrayIndex[path] = index
                    path = KeyPath.element(path, index)
                } else if let index = arrayIndex[path] {
                    path = KeyPath.element(path, index)
                }
            }
            table = path
            if found[path] == nil { found[path] = headerLine }
            skipToEndOfLine()
        }

        /// `key = value`: records the key's line and skips the value, however many lines it spans.
        mutating func keyValue() {
            let keyLine = line
            let keys = parseKey()
            skipBlanks()
            guard !keys.isEmpty, !atEnd, peek == UInt8(ascii: "=") else { skipToEndOfLine(); return }
            i += 1
            var path = table
            for key in keys { path = KeyPath.child(path, key) }
            found[path] = keyLine
            skipValue()
        }

        /// Dotted key segments (bare, "basic" or 'literal'), stopping before `=` or `]`.
        mutating func parseKey() -> [String] {
            var keys: [String] = []
            while true {
                skipBlanks()
                guard !atEnd else { return keys }
                if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "'") {
                    keys.append(quotedKey())
                } else {
                    let start = i
                    while !atEnd, KeyPath.isBareKeyScalar(Unicode.Scalar(peek)) { i += 1 }
                    guard i > start else { return keys }
                    keys.append(String(decoding: bytes[start..<i], as: UTF8.self))
                }
                skipBlanks()
                guard !atEnd, peek == UInt8(ascii: ".") else { return keys }
                i += 1
            }
        }

        mutating func quotedKey() -> String {
            let quote = peek
            i += 1
            var out: [UInt8] = []
            while !atEnd, peek != quote, peek != UInt8(ascii: "\n") {
                if quote == UInt8(ascii: "\""), peek == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    i += 1
                }
                out.append(peek)
                i += 1
            }
            if !atEnd, peek == quote { i += 1 }
            return String(decoding: out, as: UTF8.self)
        }

        /// Skips one value: strings (all four kinds), nested arrays and inline tables, comments.
        mutating func skipValue() {
            var depth = 0
            while !atEnd {
                let c = peek
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    skipString()
                case UInt8(ascii: "#"):
                    skipToEndOfLine()
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1; i += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1; i += 1
                case UInt8(ascii: "\n"):
                    if depth <= 0 { return }
                    advance()
                default:
                    i += 1
                }
            }
        }

        mutating func skipString() {
            let quote = peek
            let triple = i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote
            i += triple ? 3 : 1
            while !atEnd {
                if quote == UInt8(ascii: "\""), peek == UInt8(ascii: "\\") {
                    advance()
                    if !atEnd { advance() }
                    continue
                }
                if peek == quote {
                    if !triple { i += 1; return }
                    if i + 2 < bytes.count, bytes[i + 1] == quote, bytes[i + 2] == quote {
                        i += 3
                        // A closing run may be up to five quotes long ("""a"""" ends with a quote).
                        while !atEnd, peek == quote { i += 1 }
                        return
                    }
                }
                if !triple, peek == UInt8(ascii: "\n") { return }
                advance()
            }
        }
    }
}
