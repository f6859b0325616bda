import SimEngine
import SimSupport
import Simulation

/// Where errors are reported: the file name and its line index.
struct ErrorContext: Sendable {
    let file: String
    let locator: LineLocator

    func error(_ kind: ScenarioError.Kind, _ path: String?, _ message: String) -> ScenarioError {
        ScenarioError(kind: kind, file: file, keyPath: path, message: message, line: path.flatMap { locator.line(of: $0) })
    }
}

/// One TOML table being decoded: typed accessors that name the key path in every error.
///
/// Each schema table starts with `expectKeys`, which rejects unknown keys before any value is
/// read, so a typo is reported as a typo (with the nearest allowed key) rather than as the
/// required key it misspells being missing.
struct TableReader {
    let path: String
    let entries: [String: TOMLNode]
    let context: ErrorContext

    func keyPath(_ key: String) -> String { KeyPath.child(path, key) }

    func fail(_ key: String, _ message: String, kind: ScenarioError.Kind = .invalidValue) -> ScenarioError {
        context.error(kind, keyPath(key), message)
    }

    /// Throws `unknownKey` for the first key (in sorted order) not in `allowed`.
    func expectKeys(_ allowed: [String], context what: String? = nil) throws(ScenarioError) {
        for key in entries.keys.sorted() where !allowed.contains(key) {
            var message = "unknown key"
            if let what { message += " for \(what)" }
            if let near = nearest(key, in: allowed) { message += "; did you mean \"\(near)\"?" } else { message += "." }
            message += " Allowed keys: \(allowed.joined(separator: ", "))"
            throw fail(key, message, kind: .unknownKey)
        }
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    func required(_ key: String, _ what: String) throws(ScenarioError) -> TOMLNode {
        guard let node = entries[key] else { throw fail(key, "missing required key (\(what))", kind: .missingKey) }
        return node
    }

    // MARK: scalars

    func string(_ key: String) throws(ScenarioError) -> String? {
        guard let node = entries[key] else { return nil }
        guard case .string(let s) = node else { throw fail(key, "expected a string, got \(node.found)") }
        return s
    }

    func bool(_ key: String) throws(ScenarioError) -> Bool? {
        guard let node = entries[key] else { return nil }
        guard case .bool(let b) = node else { throw fail(key, "expected true or false, got \(node.found)") }
        return b
    }

    /// Any TOML integer; range checks beyond the type are `Scenario.validate()`'s.
    func int(_ key: String) throws(ScenarioError) -> Int? {
        guard let node = entries[key] else { return nil }
        return try TableReader.int(node, at: keyPath(key), context)
    }

    static func int(_ node: TOMLNode, at path: String, _ context: ErrorContext) throws(ScenarioError) -> Int {
        guard case .int(let i) = node else { throw context.error(.invalidValue, path, "expected an integer, got \(node.found)") }
        return i
    }

    /// A non-negative integer (TOML integers are signed 64-bit, so at most 2^63 - 1).
    func uint(_ key: String, max: UInt64? = nil) throws(ScenarioError) -> UInt64? {
        guard let node = entries[key] else { return nil }
        return try TableReader.uint(node, at: keyPath(key), max: max, context)
    }

    static func uint(_ node: TOMLNode, at path: String, max: UInt64? = nil, _ context: ErrorContext) throws(ScenarioError) -> UInt64 {
        let expected = max.map { "an integer in 0...\($0)" } ?? "an integer >= 0"
        guard case .int(let i) = node, i >= 0, max.map({ UInt64(i) <= $0 }) ?? true else {
            throw context.error(.invalidValue, path, "expected \(expected), got \(node.found)")
        }
        return UInt64(i)
    }

    /// A finite number; integers are accepted where floats are expected.
    func double(_ key: String) throws(ScenarioError) -> Double? {
        guard let node = entries[key] else { return nil }
        return try TableReader.double(node, at: keyPath(key), context)
    }

    static func double(_ node: TOMLNode, at path: String, _ context: ErrorContext) throws(ScenarioError) -> Double {
        let value: Double
        switch node {
        case .int(let i): value = Double(i)
        case .double(let d): value = d
        default: throw context.error(.invalidValue, path, "expected a number, got \(node.found)")
        }
        guard value.isFinite else { throw context.error(.invalidValue, path, "expected a finite number, got \(node.found)") }
        return value
    }

    /// One of `choices`, spelled exactly.
    func choice(_ key: String, _ choices: [String]) throws(ScenarioError) -> String? {
        guard let node = entries[key] else { return nil }
        let list = choices.map { "\"\($0)\"" }.joined(separator: ", ")
        guard case .string(let s) = node else { throw fail(key, "expected one of \(list), got \(node.found)") }
        guard choices.contains(s) else {
            var message = "expected one of \(list), got \(node.tomlText)"
            if let near = nearest(s, in: choices) { message += "; did you mean \"\(near)\"?" }
            throw fail(key, message)
        }
        return s
    }

    // MARK: units

    /// A duration string with units, or a non-negative number of seconds.
    func duration(_ key: String) throws(ScenarioError) -> SimDuration? {
        guard let node = entries[key] else { return nil }
        return try TableReader.duration(node, at: keyPath(key), context)
    }

    /// Durations are at most `ScenarioLimits.maxDuration` (2^62 ns, about 146 years), so that
    /// any time plus any duration fits the results database's signed 64-bit nanoseconds.
    static func duration(_ node: TOMLNode, at path: String, _ context: ErrorContext) throws(ScenarioError) -> SimDuration {
        let limit = ScenarioLimits.maxDuration
        var parsed: SimDuration?
        switch node {
        case .string(let s):
            parsed = Units.duration(s)
        case .int(let i) where i >= 0 && UInt64(i) <= limit.nanoseconds / 1_000_000_000:
            parsed = .seconds(UInt64(i))
        case .double(let d) where d.isFinite && d >= 0 && d <= Double(limit.nanoseconds / 1_000_000_000):
            parsed = SimDuration(seconds: d)
        case .int(let i) where i >= 0:
            throw context.error(.invalidValue, path, "expected at most 2^62 ns (about 146 years), got \(i) s")
        case .double(let d) where d.isFinite && d >= 0:
            throw context.error(.invalidValue, path, "expected at most 2^62 ns (about 146 years), got \(d) s")
        default: break
        }
        guard let parsed else { throw context.error(.invalidValue, path, "expected \(Units.durationHint), got \(node.found)") }
        guard parsed <= limit else {
            throw context.error(.invalidValue, path, "expected at most 2^62 ns (about 146 years), got \(node.tomlText)")
        }
        return parsed
    }

    /// A size string with units, or a non-negative integer number of bytes.
    func size(_ key: String) throws(ScenarioError) -> UInt64? {
        guard let node = entries[key] else { return nil }
        return try TableReader.size(node, at: keyPath(key), context)
    }

    /// Sizes are at most `ScenarioLimits.maxBytes` (2^62 bytes), so sums stay in 64 bits.
    static func size(_ node: TOMLNode, at path: String, _ context: ErrorContext) throws(ScenarioError) -> UInt64 {
        var bytes: UInt64?
        switch node {
        case .string(let s): bytes = Units.size(s)
        case .int(let i) where i >= 0: bytes = UInt64(i)
        default: break
        }
        guard let bytes else { throw context.error(.invalidValue, path, "expected \(Units.sizeHint), got \(node.found)") }
        guard bytes <= ScenarioLimits.maxBytes else {
            throw context.error(.invalidValue, path, "expected at most 2^62 bytes (4 EiB), got \(node.tomlText)")
        }
        return bytes
    }

    // MARK: containers

    func table(_ key: String) throws(ScenarioError) -> TableReader? {
        guard let node = entries[key] else { return nil }
        return try TableReader.table(node, at: keyPath(key), context)
    }

    static func table(_ node: TOMLNode, at path: String, _ context: ErrorContext) throws(ScenarioError) -> TableReader {
        guard case .table(let entries) = node else { throw context.error(.invalidValue, path, "expected a table, got \(node.found)") }
        return TableReader(path: path, entries: entries, context: context)
    }

    func array(_ key: String) throws(ScenarioError) -> [TOMLNode]? {
        guard let node = entries[key] else { return nil }
        guard case .array(let items) = node else { throw fail(key, "expected an array, got \(node.found)") }
        return items
    }

    /// An array of tables (`[[workload]]` headers or an array of inline tables).
    func tables(_ key: String) throws(ScenarioError) -> [TableReader] {
        guard let items = try array(key) else { return [] }
        var tables: [TableReader] = []
        for (i, item) in items.enumerated() {
            tables.append(try TableReader.table(item, at: KeyPath.element(keyPath(key), i), context))
        }
        return tables
    }

    func strings(_ key: String) throws(ScenarioError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw context.error(.invalidValue, KeyPath.element(keyPath(key), i), "expected a string, got \(item.found)")
            }
            out.append(s)
        }
        return out
    }
}

/// The allowed word closest to `word` by edit distance, when close enough to be a likely typo;
/// a word that is a prefix of a candidate (`burn` for `burn_bp`) counts as close.
func nearest(_ word: String, in candidates: [String]) -> String? {
    let limit = max(2, word.count / 3)
    var best: (String, Int)?
    for candidate in candidates {
        let (w, c) = (word.lowercased(), candidate.lowercased())
        let d = c.hasPrefix(w) && w.count >= 3 ? 1 : editDistance(w, c)
        if d <= limit, d < best?.1 ?? .max { best = (candidate, d) }
    }
    return best?.0
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[b.count]
}
