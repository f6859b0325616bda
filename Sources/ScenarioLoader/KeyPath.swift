/// Key paths in scenario-file spelling: `nodes.count`, `workload[0].size.mu`,
/// `sweep."economics.burn_bp"`. Arrays of tables are indexed from 0. Errors name keys this way,
/// the line locator records lines under the same spelling, and sweep keys use it (bare keys
/// only) to say which value they replace.
enum KeyPath {
    /// `key` as one path segment: bare when TOML allows it bare, quoted otherwise.
    static func quoted(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { isBareKeyScalar($0) }
        return bare ? key : TOMLNode.quote(key)
    }

    static func isBareKeyScalar(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-"
    }

    /// `parent.key`, or `key` at the top level.
    static func child(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? quoted(key) : parent + "." + quoted(key)
    }

    /// `parent[index]`.
    static func element(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }

    /// The enclosing path: `a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> nil. Quote-aware, so that
    /// `sweep."x.y"` -> `sweep`.
    static func parent(of path: String) -> String? {
        var inQuotes = false, escaped = false
        var cut: String.Index?
        var i = path.startIndex
        while i < path.endIndex {
            let c = path[i]
            if inQuotes {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "." || c == "[" {
                cut = i
            }
            i = path.index(after: i)
        }
        return cut.map { String(path[..<$0]) }
    }

    /// One step of a parsed sweep key: a table key, or an index into an array.
    enum Segment: Equatable, Sendable {
        case key(String)
        case index(Int)
    }

    /// Parses a sweep key such as `workload[0].count` or `workload.uploads.count` into
    /// segments; `nil` when it is not a dotted list of bare keys with optional `[i]` suffixes.
    static func parse(_ path: String) -> [Segment]? {
        var segments: [Segment] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            var indices: [Int] = []
            while rest.hasSuffix("]") {
                guard let open = rest.lastIndex(of: "["), let i = Int(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]), i >= 0 else {
                    return nil
                }
                indices.insert(i, at: 0)
                rest = rest[..<open]
            }
            guard !rest.isEmpty, rest.unicodeScalars.allSatisfy(isBareKeyScalar) else { return nil }
            segments.append(.key(String(rest)))
            segments += indices.map(Segment.index)
        }
        return segments
    }
}
