import Foundation
import SimSupport
import Simulation
import TOMLKit

/// What `walrus-sim tune` searches (`[tune]` of a scenario file): parameters named by their
/// scenario key paths with ranges, an objective as an SQL query over one run's results, and
/// the seeds every point is evaluated with (the same seeds at every point: common random
/// numbers, so differences between points are not seed noise).
public struct TuneSpec: Sendable, Equatable {
    /// One tuned parameter.
    public struct Parameter: Sendable, Equatable {
        /// The scenario key it sets, in file spelling (`nodes.fixed_cost_usd`, `economics.burn_bp`).
        public var keyPath: String
        /// Its range: continuous within bounds (searched by Nelder-Mead), or a list of values (grid or random search).
        public var domain: Domain
        /// Whether the key takes an integer (continuous values are rounded before use).
        public var integer: Bool
    }

    /// A parameter's range.
    public enum Domain: Sendable, Equatable {
        /// Any value in `low ... high`.
        case continuous(low: Double, high: Double)
        /// One of these values.
        case discrete([Double])
    }

    /// The tuned parameters, in file order.
    public var parameters: [Parameter]
    /// SQL over one run's database returning one number (one row, one column); it is minimized
    /// (`maximize = true`: maximized).
    public var objective: String
    /// Whether the objective is maximized rather than minimized.
    public var maximize: Bool
    /// Seeds each point runs with.
    public var seeds: [UInt64]
    /// The most points evaluated (each costs `seeds.count` runs).
    public var maxEvaluations: Int
    /// Discrete search: `grid` (every combination) or `random` (`maxEvaluations` combinations
    /// drawn from the `tune` stream of the first seed).
    public var discreteSearch: String
    /// Nelder-Mead stops when the simplex's characteristic size falls below this, relative to the ranges.
    public var tolerance: Double
}

extension ScenarioLoader {
    /// Loads a scenario file's `[tune]` table. Throws `ScenarioError` naming the file, key and
    /// line for a missing table, an unknown key, a parameter whose key the scenario does not
    /// have (tried by loading the scenario with the parameter at its lower bound), an empty or
    /// reversed range, or a malformed objective.
    public static func loadTune(source: String, file: String) throws(ScenarioError) -> TuneSpec {
        let (document, context) = try parse(source: source, file: file)
        let top = TableReader(path: "", entries: document, context: context)
        guard let t = try top.table("tune") else {
            throw ScenarioError(kind: .missingKey, file: file, keyPath: "tune", message: "missing [tune] table (parameters, objective, seeds)")
        }
        try t.expectKeys(["objective", "maximize", "seeds", "max_evaluations", "discrete_search", "tolerance", "parameter"])
        guard let objective = try t.string("objective") else { throw t.fail("objective", "missing required key (an SQL query returning one number)", kind: .missingKey) }
        guard objective.uppercased().trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("SELECT")
            || objective.uppercased().trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("WITH") else {
            throw t.fail("objective", "expected a read-only query starting with SELECT or WITH")
        }
        var seeds: [UInt64] = [1, 2, 3]
        if let items = try t.array("seeds") {
            guard !items.isEmpty, items.count <= 1_000 else { throw t.fail("seeds", "expected 1...1000 seeds") }
            seeds = []
            for (i, item) in items.enumerated() {
                let s = try TableReader.uint(item, at: KeyPath.element(t.keyPath("seeds"), i), context)
                guard !seeds.contains(s) else { throw context.error(.invalidValue, KeyPath.element(t.keyPath("seeds"), i), "seed \(s) is listed twice") }
                seeds.append(s)
            }
        }
        let maxEvaluations = try t.int("max_evaluations") ?? 40
        guard (1...100_000).contains(maxEvaluations) else { throw t.fail("max_evaluations", "expected 1...100000, got \(maxEvaluations)") }
        let search = try t.choice("discrete_search", ["grid", "random"]) ?? "grid"
        let tolerance = try t.double("tolerance") ?? 1e-3
        guard tolerance > 0 else { throw t.fail("tolerance", "expected a tolerance > 0, got \(tolerance)") }
        var parameters: [TuneSpec.Parameter] = []
        for p in try t.tables("parameter") {
            try p.expectKeys(["key", "low", "high", "values", "integer"])
            guard let key = try p.string("key") else { throw p.fail("key", "missing required key (the scenario key to tune, e.g. \"economics.burn_bp\")", kind: .missingKey) }
            guard let segments = KeyPath.parse(key), case .key(let head) = segments[0], ScenarioDecoder.topLevelKeys.contains(head),
                  !ScenarioFile.unsweepable.contains(head) else {
                throw p.fail("key", "expected a tunable scenario key path such as \"economics.burn_bp\", got \"\(key)\"")
            }
            let integer = try p.bool("integer") ?? false
            let domain: TuneSpec.Domain
            switch (p.has("values"), p.has("low") || p.has("high")) {
            case (true, false):
                let items = try p.array("values")!
                guard !items.isEmpty else { throw p.fail("values", "expected at least one value") }
                var values: [Double] = []
                for (i, item) in items.enumerated() { values.append(try TableReader.double(item, at: KeyPath.element(p.keyPath("values"), i), context)) }
                domain = .discrete(values)
            case (false, true):
                _ = try p.required("low", "the lower bound")
                _ = try p.required("high", "the upper bound")
                let low = try p.double("low")!, high = try p.double("high")!
                guard low < high else { throw p.fail("high", "expected high > low (\(low)), got \(high)") }
                domain = .continuous(low: low, high: high)
            case (true, true):
                throw p.fail("values", "give either values = [...] or low/high, not both")
            case (false, false):
                throw p.fail("low", "missing the range: low and high, or values = [...]", kind: .missingKey)
            }
            parameters.append(TuneSpec.Parameter(keyPath: key, domain: domain, integer: integer))
        }
        guard !parameters.isEmpty else { throw t.fail("parameter", "expected at least one [[tune.parameter]]", kind: .missingKey) }
        let spec = TuneSpec(parameters: parameters, objective: objective, maximize: try t.bool("maximize") ?? false, seeds: seeds,
                            maxEvaluations: maxEvaluations, discreteSearch: search, tolerance: tolerance)
        // Each parameter must name a key the scenario takes: load the scenario at the low end
        // of every range (a wrong key or a value the key refuses fails here, before any run).
        let probe = spec.parameters.map { p -> Double in
            switch p.domain { case .continuous(let low, _): low; case .discrete(let v): v[0] }
        }
        _ = try tunePoint(source: source, file: file, spec: spec, values: probe, seed: seeds[0])
        return spec
    }

    /// The run of the tuned file at `values` (one per parameter, in order) with `seed`: the
    /// file's first manifest run with each parameter put in place, decoded and validated.
    /// A value the key refuses throws `ScenarioError` naming the `[tune]` parameter.
    public static func tunePoint(source: String, file: String, spec: TuneSpec, values: [Double], seed: UInt64) throws(ScenarioError) -> ManifestEntry {
        let (document, context) = try parse(source: source, file: file)
        var doc = document
        doc["tune"] = nil
        var overrides: [Override] = []
        for (i, p) in spec.parameters.enumerated() {
            let v = values[i]
            let node: TOMLNode = p.integer ? .int(Int(v.rounded())) : .double(v)
            let path = "tune.parameter[\(i)].key"
            do {
                let (updated, _) = try ScenarioFile.setting(node, at: KeyPath.parse(p.keyPath)![...], in: .table(doc), path: "")
                guard case .table(let entries) = updated else { preconditionFailure("setting below a table yields a table") }
                doc = entries
            } catch {
                throw context.error(.invalidValue, path, "cannot set \(p.keyPath): \(error.reason)")
            }
            overrides.append(Override(keyPath: p.keyPath, value: node.tomlText))
        }
        let decoder = ScenarioDecoder(context: context)
        let scenario: Scenario
        do throws(ScenarioError) {
            var s = try decoder.decode(doc, seed: seed, defaultName: ScenarioFile.stem(of: file))
            do { try s.validate() } catch { throw context.error(.invalidScenario, error.keyPath, error.message) }
            s.seed = seed
            scenario = s
        } catch {
            var e = error
            e.message += " (tuning with \(overrides.map(\.description).joined(separator: ", ")))"
            // An error in a tuned key points at the [[tune.parameter]] that set it.
            if let key = e.keyPath, let i = spec.parameters.firstIndex(where: { key == $0.keyPath || key.hasPrefix($0.keyPath + ".") || $0.keyPath.hasPrefix(key + ".") }) {
                e.line = context.locator.line(of: "tune.parameter[\(i)].key") ?? e.line
            }
            throw e
        }
        return ManifestEntry(index: 0, scenario: scenario, overrides: overrides)
    }

    /// The parsed document of `source` and its error context (the same parsing as `load`).
    static func parse(source: String, file: String) throws(ScenarioError) -> ([String: TOMLNode], ErrorContext) {
        let context = ErrorContext(file: file, locator: LineLocator(source: source))
        if source.utf8.contains(0) {
            throw ScenarioError(kind: .syntax, file: file, keyPath: nil, message: "syntax error: NUL character in the file")
        }
        do {
            guard case .table(let entries) = TOMLNode(try TOMLTable(string: source)) else { preconditionFailure("a TOML document is a table") }
            return (entries, context)
        } catch let error as TOMLParseError {
            throw ScenarioError(kind: .syntax, file: file, keyPath: nil, message: "syntax error: \(error.description)",
                                line: error.source.begin.line, column: error.source.begin.column)
        } catch {
            throw ScenarioError(kind: .syntax, file: file, keyPath: nil, message: "syntax error: \(error)")
        }
    }
}
