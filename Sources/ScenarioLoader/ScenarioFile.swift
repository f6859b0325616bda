import Foundation
import SimSupport
import Simulation
import TOMLKit

/// Loads scenario files. See `Scenarios/README.md` for the schema.
public enum ScenarioLoader {
    /// Reads the file at `path` and loads it with `load(source:file:)`; the path as given names
    /// the file in errors.
    public static func load(path: String) throws(ScenarioError) -> ScenarioFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(kind: .unreadable, file: path, keyPath: nil, message: "cannot read the file (missing or not readable)")
        }
        guard let source = String(validating: Array(data), as: UTF8.self) else {
            throw ScenarioError(kind: .unreadable, file: path, keyPath: nil, message: "the file is not valid UTF-8")
        }
        return try load(source: source, file: path)
    }

    /// Parses, decodes and validates `source`, and every run its seeds and sweep expand to.
    ///
    /// Contract: when this returns, every entry of `expand()` is a `Scenario` that passed
    /// `validate()`; when it throws, the error names `file`, the key path and (when known) the
    /// line. It reads nothing but its arguments and writes nothing.
    public static func load(source: String, file: String) throws(ScenarioError) -> ScenarioFile {
        let context = ErrorContext(file: file, locator: LineLocator(source: source))
        // toml++ reads a C string: a NUL would silently end the document early.
        if let nul = source.utf8.firstIndex(of: 0) {
            let line = source.utf8[..<nul].count { $0 == UInt8(ascii: "\n") } + 1
            throw ScenarioError(kind: .syntax, file: file, keyPath: nil, message: "syntax error: NUL character in the file", line: line)
        }
        let document: [String: TOMLNode]
        do {
            guard case .table(let entries) = TOMLNode(try TOMLTable(string: source)) else { preconditionFailure("a TOML document is a table") }
            document = entries
        } catch let error as TOMLParseError {
            throw ScenarioError(
                kind: .syntax, file: file, keyPath: nil, message: "syntax error: \(error.description)",
                line: error.source.begin.line, column: error.source.begin.column
            )
        } catch {
            throw ScenarioError(kind: .syntax, file: file, keyPath: nil, message: "syntax error: \(error)")
        }
        return try ScenarioFile(document: document, source: source, context: context)
    }
}

/// A loaded scenario file: one or many validated runs, and the file's identity.
///
/// Runs are the cartesian product of the `[sweep]` axes (in the order the file writes them,
/// the first varying slowest) times the seeds (varying fastest), numbered from 0. The order
/// depends only on the file, so entry `i` is the same run on every machine: that is what lets
/// a job array run `walrus-sim sweep --index i` (DESIGN §8).
public struct ScenarioFile: Sendable {
    /// The file as named when loading.
    public let file: String
    /// A 128-bit digest of the file's text (`TraceDigest` over its UTF-8), 32 hex digits; two
    /// runs with the same digest and index ran the same scenario.
    public let digest: String
    /// `description` from the file: what `walrus-sim list` shows.
    public let description: String
    /// The run seeds, in order (`seed`, `seeds = [...]` or `seeds = { from, count }`).
    public let seeds: [UInt64]
    /// The sweep axes in file order; empty without `[sweep]`.
    public let axes: [SweepAxis]
    /// One validated scenario per parameter combination, seed not yet applied.
    private let combinations: [(overrides: [Override], scenario: Scenario)]

    /// Sweeps larger than this are almost surely a mistake in the file (and would take days).
    public static let maxRuns = 100_000

    /// The number of runs: parameter combinations times seeds.
    public var runCount: Int { combinations.count * seeds.count }

    /// Run `index` (0 ..< runCount): its scenario has the entry's seed and, for files with more
    /// than one run, the name suffixed with the zero-padded index.
    public func entry(_ index: Int) -> ManifestEntry? {
        guard (0..<runCount).contains(index) else { return nil }
        let (overrides, base) = combinations[index / seeds.count]
        var scenario = base
        scenario.seed = seeds[index % seeds.count]
        if runCount > 1 {
            let width = String(runCount - 1).count
            let digits = String(index)
            scenario.name += "-" + String(repeating: "0", count: width - digits.count) + digits
        }
        return ManifestEntry(index: index, scenario: scenario, overrides: overrides)
    }

    /// The whole manifest, in index order.
    public func expand() -> [ManifestEntry] { (0..<runCount).map { entry($0)! } }

    init(document: [String: TOMLNode], source: String, context: ErrorContext) throws(ScenarioError) {
        var digest = TraceDigest()
        digest.absorb(source)
        self.file = context.file
        self.digest = digest.hex
        let top = TableReader(path: "", entries: document, context: context)
        self.seeds = try Self.seeds(top)
        let axes = try Self.axes(top)
        self.axes = axes.map { SweepAxis(keyPath: $0.key, values: $0.values.map(\.tomlText)) }

        let combinationCount = axes.reduce(1) { product, axis in
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
            return overflow ? .max : next
        }
        guard combinationCount <= Self.maxRuns / seeds.count else {
            throw context.error(.invalidSweep, axes.isEmpty ? "seeds" : "sweep", "expected at most \(Self.maxRuns) runs (combinations x seeds), got \(combinationCount) x \(seeds.count)")
        }
        let defaultName = Self.stem(of: context.file)
        let decoder = ScenarioDecoder(context: context)
        var combinations: [(overrides: [Override], scenario: Scenario)] = []
        for number in 0..<combinationCount {
            // Row-major: the last axis varies fastest.
            var rest = number
            var choice = Array(repeating: 0, count: axes.count)
            for a in axes.indices.reversed() {
                choice[a] = rest % axes[a].values.count
                rest /= axes[a].values.count
            }
            var doc = document
            var applied: [(canonical: String, axis: Int)] = []
            for (a, axis) in axes.enumerated() {
                do {
                    let (node, canonical) = try Self.setting(axis.values[choice[a]], at: axis.segments[...], in: .table(doc), path: "")
                    guard case .table(let entries) = node else { preconditionFailure("setting below a table yields a table") }
                    doc = entries
                    applied.append((canonical, a))
                } catch {
                    throw context.error(.invalidSweep, axis.path, "cannot apply the sweep key: \(error.reason)")
                }
            }
            let overrides = axes.indices.map { Override(keyPath: axes[$0].key, value: axes[$0].values[choice[$0]].tomlText) }
            // An error in a swept value points at the sweep line and names the run. A decoding
            // error outside the swept keys is the file's own and is reported as such; a semantic
            // one may come from how a swept value meets the rest, so it names the run too.
            func inSweep(_ error: ScenarioError) -> ScenarioError {
                guard !axes.isEmpty else { return error }
                var e = error
                let hit = e.keyPath.flatMap { key in
                    applied.first { key == $0.canonical || key.hasPrefix($0.canonical + ".") || key.hasPrefix($0.canonical + "[") }
                }
                guard hit != nil || e.kind == .invalidScenario else { return e }
                e.message += " (in the sweep run with \(overrides.map(\.description).joined(separator: ", ")))"
                if let hit { e.line = context.locator.line(of: axes[hit.axis].path) }
                return e
            }
            do throws(ScenarioError) {
                let scenario = try decoder.decode(doc, seed: seeds[0], defaultName: defaultName)
                do {
                    try scenario.validate()
                } catch {
                    throw context.error(.invalidScenario, error.keyPath, error.message)
                }
                combinations.append((overrides, scenario))
            } catch {
                throw inSweep(error)
            }
        }
        self.combinations = combinations
        self.description = combinations[0].scenario.description
    }

    /// `seed = 7` (default 1), `seeds = [1, 2, 3]` or `seeds = { from = 1, count = 10 }`.
    private static func seeds(_ top: TableReader) throws(ScenarioError) -> [UInt64] {
        if top.has("seed"), top.has("seeds") {
            throw top.fail("seeds", "give either seed or seeds, not both", kind: .invalidSweep)
        }
        if let seed = try top.uint("seed") { return [seed] }
        guard let node = top.entries["seeds"] else { return [1] }
        let path = top.keyPath("seeds")
        switch node {
        case .array(let items):
            guard !items.isEmpty else { throw top.fail("seeds", "expected at least one seed", kind: .invalidSweep) }
            guard items.count <= ScenarioFile.maxRuns else {
                throw top.fail("seeds", "expected at most \(ScenarioFile.maxRuns) seeds, got \(items.count)", kind: .invalidSweep)
            }
            var seeds: [UInt64] = [], seen = Set<UInt64>()
            for (i, item) in items.enumerated() {
                let seed = try TableReader.uint(item, at: KeyPath.element(path, i), top.context)
                guard seen.insert(seed).inserted else {
                    throw top.context.error(.invalidSweep, KeyPath.element(path, i), "seed \(seed) is listed twice (the runs would be identical)")
                }
                seeds.append(seed)
            }
            return seeds
        case .table:
            let t = try TableReader.table(node, at: path, top.context)
            try t.expectKeys(["from", "count"])
            _ = try t.required("from", "the first seed")
            _ = try t.required("count", "how many consecutive seeds")
            let from = try t.uint("from")!
            let count = try t.uint("count")!
            guard (1...UInt64(ScenarioFile.maxRuns)).contains(count) else {
                throw t.fail("count", "expected 1...\(ScenarioFile.maxRuns) seeds, got \(count)", kind: .invalidSweep)
            }
            guard from <= UInt64(Int64.max) - (count - 1) else {
                throw t.fail("count", "the last seed must stay <= 2^63-1", kind: .invalidSweep)
            }
            return (0..<count).map { from + $0 }
        default:
            throw top.fail("seeds", "expected a list of seeds or { from = ..., count = ... }, got \(node.found)", kind: .invalidSweep)
        }
    }

    struct Axis {
        /// The sweep key as written, and its path inside the file (`sweep."economics.burn_bp"`).
        var key: String
        var path: String
        var segments: [KeyPath.Segment]
        var values: [TOMLNode]
    }

    /// Keys that identify the file or its runs rather than parameterize a run.
    static let unsweepable: Set<String> = ["name", "description", "seed", "seeds", "sweep", "tune"]

    private static func axes(_ top: TableReader) throws(ScenarioError) -> [Axis] {
        guard let sweep = try top.table("sweep") else { return [] }
        var axes: [Axis] = []
        for key in sweep.entries.keys.sorted() {
            let path = sweep.keyPath(key)
            guard let segments = KeyPath.parse(key), case .key(let head) = segments[0] else {
                throw sweep.fail(key, "expected a key path such as \"economics.burn_bp\" or \"workload[0].count\" (bare keys, dots, [index])", kind: .invalidSweep)
            }
            guard ScenarioDecoder.topLevelKeys.contains(head) else {
                var message = "the sweep key starts with an unknown section \"\(head)\""
                if let near = nearest(head, in: ScenarioDecoder.topLevelKeys) { message += "; did you mean \"\(near)\"?" }
                throw sweep.fail(key, message, kind: .invalidSweep)
            }
            guard !unsweepable.contains(head) else {
                throw sweep.fail(key, "\(head) cannot be swept\(head == "seed" ? "; use seeds = [...] for repetitions" : "")", kind: .invalidSweep)
            }
            guard case .array(let values) = sweep.entries[key]!, !values.isEmpty else {
                throw sweep.fail(key, "expected a non-empty array of values, got \(sweep.entries[key]!.found)", kind: .invalidSweep)
            }
            // Bound the work before doing it: a huge axis fails here, not after a quadratic scan.
            guard values.count <= ScenarioFile.maxRuns else {
                throw sweep.fail(key, "expected at most \(ScenarioFile.maxRuns) values (the most runs a sweep may have), got \(values.count)", kind: .invalidSweep)
            }
            var seen = Set<String>()
            for (i, value) in values.enumerated() where !seen.insert(value.tomlText).inserted {
                throw top.context.error(.invalidSweep, KeyPath.element(path, i), "value \(value.tomlText) is listed twice")
            }
            axes.append(Axis(key: key, path: path, segments: segments, values: values))
        }
        // File order, so the manifest reads like the file; the sorted keys break ties.
        let lines = axes.map { top.context.locator.exactLine(of: $0.path) ?? .max }
        return axes.indices.sorted { (lines[$0], axes[$0].key) < (lines[$1], axes[$1].key) }.map { axes[$0] }
    }

    struct OverrideFailure: Error { var reason: String }

    /// `node` with `value` put at `segments`, creating missing tables, and the canonical path of
    /// the replaced value (array elements named by `name` become `[index]`).
    static func setting(_ value: TOMLNode, at segments: ArraySlice<KeyPath.Segment>, in node: TOMLNode?, path: String) throws(OverrideFailure) -> (TOMLNode, String) {
        guard let segment = segments.first else { return (value, path) }
        let rest = segments.dropFirst()
        switch (segment, node) {
        case (.key(let key), .table(var entries)?):
            let (child, canonical) = try setting(value, at: rest, in: entries[key], path: KeyPath.child(path, key))
            entries[key] = child
            return (.table(entries), canonical)
        case (.key(let key), nil):
            let (child, canonical) = try setting(value, at: rest, in: nil, path: KeyPath.child(path, key))
            return (.table([key: child]), canonical)
        case (.key(let name), .array(let items)?):
            // An array of tables addressed by the `name` of one of its elements.
            guard let index = items.firstIndex(where: { if case .table(let t) = $0 { t["name"] == .string(name) } else { false } }) else {
                throw OverrideFailure(reason: "\(path) has no element named \"\(name)\"")
            }
            return try setting(value, at: [.index(index)] + rest, in: node, path: path)
        case (.index(let index), .array(var items)?):
            guard index < items.count else { throw OverrideFailure(reason: "\(path) has \(items.count) elements, no index \(index)") }
            let (child, canonical) = try setting(value, at: rest, in: items[index], path: KeyPath.element(path, index))
            items[index] = child
            return (.array(items), canonical)
        case (.index, nil):
            throw OverrideFailure(reason: "\(path) is not in the file, so it has no elements")
        case (_, let other?):
            throw OverrideFailure(reason: "\(path) is \(other.typeName), which has no key \(segment)")
        }
    }

    /// `Scenarios/paper/scale.toml` -> `scale`.
    static func stem(of file: String) -> String {
        var name = Substring(file.split(separator: "/").last ?? Substring(file))
        if name.hasSuffix(".toml") { name = name.dropLast(5) }
        return String(name)
    }
}

/// One swept parameter: a key path and its values (as TOML text), in file order.
public struct SweepAxis: Sendable, Equatable {
    /// The swept key in file spelling, e.g. `nodes.count`.
    public var keyPath: String
    /// Its values as TOML text, in the order the file lists them.
    public var values: [String]
}

/// A value a sweep put in place of the file's, as `keyPath = value` (TOML text).
public struct Override: Sendable, Equatable, CustomStringConvertible {
    /// The key in file spelling, e.g. `nodes.count`.
    public var keyPath: String
    /// The value put in place, as TOML text (strings quoted).
    public var value: String
    /// `keyPath = value`, as a TOML line.
    public var description: String { "\(keyPath) = \(value)" }
}

/// One run of a manifest.
public struct ManifestEntry: Sendable, Equatable {
    /// Position in the manifest, from 0.
    public var index: Int
    /// The run: validated, with its seed and (in multi-run files) indexed name.
    public var scenario: Scenario
    /// The sweep values of this run, in axis order; empty without a sweep.
    public var overrides: [Override]
    /// The run's seed, the same as `scenario.seed`.
    public var seed: UInt64 { scenario.seed }
}
