import Analysis
import ArgumentParser
import Foundation
import ResultsStore
import ScenarioLoader
import SimEngine
import Simulation

/// `walrus-sim tune FILE`: searches the `[tune]` parameters of a scenario for the best value of
/// its objective (an SQL query over each run's results), and records every evaluation.
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tune scenario parameters against an SQL objective (Nelder-Mead, grid or random search).",
        discussion: """
            The file's [tune] table names parameters (scenario key paths with low/high or \
            values), an objective (a SELECT over one run's results database returning one \
            number) and the seeds each point runs with; every point runs with the same seeds \
            (common random numbers). Continuous parameters are searched with GSL's Nelder-Mead \
            simplex, discrete ones by grid or random search. Every evaluation (point, seed, \
            value) is stored in the tune database (default Results/<name>/tune.sqlite); a rerun \
            reuses them, so an interrupted tune resumes. Prints the best point with the 95% \
            confidence interval of its mean over the seeds.
            """
    )

    @Argument(help: "The scenario file (TOML) with a [tune] table.") var file: String
    @Option(help: "The tune database (default Results/<name>/tune.sqlite).") var out: String?
    @Flag(help: "Print only the result.") var quiet = false

    func run() throws {
        let (scenarioFile, text) = try loadScenario(file)
        let spec: TuneSpec
        do { spec = try ScenarioLoader.loadTune(source: text, file: file) } catch { throw CLIError(error.description) }
        let name = scenarioFile.expand()[0].scenario.name
        let storePath = out ?? "Results/\(name)/tune.sqlite"
        var tuner = Tuner(spec: spec, file: file, text: text, scenarioFile: scenarioFile, storePath: storePath, quiet: quiet)
        let started = ContinuousClock.now
        let best = try tuner.search()
        let minutes = Double((ContinuousClock.now - started).components.seconds) / 60 + 1e-9
        let names = spec.parameters.map(\.keyPath)
        let point = zip(names, best.point).map { "\($0)=\(Tuner.format($1))" }.joined(separator: " ")
        let s = Summary(best.values)!
        let ci = s.ci95Low.map { "[\(Tuner.format($0)), \(Tuner.format(s.ci95High!))]" } ?? "(one seed: no interval)"
        print("best: \(point) objective=\(Tuner.format(s.mean)) ci95=\(ci) seeds=\(s.n)")
        print("evaluations=\(tuner.points.count) runs=\(tuner.runsExecuted) reused=\(tuner.runsReused) evaluations_per_minute=\(String(format: "%.2f", Double(tuner.pointsRun) / minutes)) store=\(storePath)")
    }
}

/// The search: evaluates points (each the mean of its seeds' objective values), remembers them,
/// and runs Nelder-Mead over the continuous parameters for each discrete combination.
struct Tuner {
    let spec: TuneSpec
    let file: String
    let text: String
    let scenarioFile: ScenarioFile
    let storePath: String
    let quiet: Bool
    /// Every point evaluated, in order, with its per-seed objective values.
    var points: [(point: [Double], values: [Double])] = []
    var runsExecuted = 0
    var runsReused = 0
    /// Points that needed at least one run (for the evaluations-per-minute figure).
    var pointsRun = 0
    private var store: TuneStore?

    init(spec: TuneSpec, file: String, text: String, scenarioFile: ScenarioFile, storePath: String, quiet: Bool) {
        self.spec = spec; self.file = file; self.text = text; self.scenarioFile = scenarioFile
        self.storePath = storePath; self.quiet = quiet
    }

    /// Shortest round-trip text of a value, as points are keyed and printed.
    static func format(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }

    /// The tune's identity: the scenario file's digest (any edit of the file starts afresh).
    var tuneKey: String { scenarioFile.digest }

    /// The canonical point: integer parameters rounded, every value in range.
    func canonical(_ x: [Double]) -> [Double] {
        zip(spec.parameters, x).map { p, v in p.integer ? v.rounded() : v }
    }

    /// The mean objective at `x` (minimization sign), running the seeds not yet stored.
    mutating func evaluate(_ raw: [Double]) throws -> Double {
        let x = canonical(raw)
        if let known = points.first(where: { $0.point == x }) { return signed(known.values) }
        let key = x.map(Self.format).joined(separator: ",")
        var values: [Double] = []
        var ran = false
        for seed in spec.seeds {
            if let store, let v = try store.value(tuneKey: tuneKey, point: key, seed: seed) {
                values.append(v); runsReused += 1; continue
            }
            let (v, events, wall) = try runOnce(x, seed: seed)
            if store == nil {
                let dir = (storePath as NSString).deletingLastPathComponent
                if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
                store = try TuneStore(path: storePath)
                // A resumed tune: look the seeds up again now that the file is open.
                if let v = try store!.value(tuneKey: tuneKey, point: key, seed: seed) { values.append(v); runsReused += 1; continue }
            }
            try store!.store(tuneKey: tuneKey, point: key, seed: seed, value: v, events: events, wallSeconds: wall)
            values.append(v)
            runsExecuted += 1
            ran = true
        }
        if ran { pointsRun += 1 }
        points.append((x, values))
        if !quiet {
            let s = Summary(values)!
            print("eval \(points.count): \(zip(spec.parameters, x).map { "\($0.keyPath)=\(Self.format($1))" }.joined(separator: " ")) -> \(Self.format(s.mean))")
        }
        return signed(values)
    }

    func signed(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return spec.maximize ? -mean : mean
    }

    /// One run at `x` with `seed` into a scratch results file; the objective query's single number.
    func runOnce(_ x: [Double], seed: UInt64) throws -> (Double, UInt64, Double) {
        let entry: ManifestEntry
        do { entry = try ScenarioLoader.tunePoint(source: text, file: file, spec: spec, values: x, seed: seed) } catch { throw CLIError(error.description) }
        let scratch = NSTemporaryDirectory() + "walrus-sim-tune-\(ProcessInfo.processInfo.processIdentifier)-\(seed).sqlite"
        try? FileManager.default.removeItem(atPath: scratch)
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }
        }
        let outcome = try runScenario(entry, file: scenarioFile, fileText: text, settings: RunSettings(databasePath: scratch, quiet: true))
        if outcome.interrupted { throw ExitCode(130) }
        let rows: [[DBValue]]
        do { rows = try ResultsDatabase(path: scratch).query(spec.objective) } catch {
            throw CLIError("\(file): tune.objective: the query failed: \(error)")
        }
        let value: Double
        switch (rows.count, rows.first?.count, rows.first?.first) {
        case (1, 1, .integer(let i)?): value = Double(i)
        case (1, 1, .real(let d)?) where d.isFinite: value = d
        default:
            throw CLIError("\(file): tune.objective: expected the query to return one number (one row, one column), got \(rows.count) row(s): \(rows.prefix(3))")
        }
        return (value, outcome.events, outcome.wallSeconds)
    }

    /// Runs the search and returns the best point with its per-seed values.
    mutating func search() throws -> (point: [Double], values: [Double]) {
        let continuous = spec.parameters.indices.filter { if case .continuous = spec.parameters[$0].domain { true } else { false } }
        let discrete = spec.parameters.indices.filter { !continuous.contains($0) }
        var combos: [[Double]] = [[]]
        for i in discrete {
            guard case .discrete(let values) = spec.parameters[i].domain else { continue }
            combos = combos.flatMap { c in values.map { c + [$0] } }
        }
        if spec.discreteSearch == "random", combos.count > spec.maxEvaluations {
            // Deterministic: drawn from the `tune` stream of the first seed.
            let stream = RandomStreams(runSeed: spec.seeds[0]).stream("tune")
            combos = stream.sample(spec.maxEvaluations, from: combos.count).sorted().map { combos[$0] }
        }
        let budgetPerCombo = max(1, spec.maxEvaluations / combos.count)
        for combo in combos where points.count < spec.maxEvaluations {
            let count = spec.parameters.count
            // Free of `self`, so the minimizer's escaping closure can call it.
            let full = { (c: [Double]) -> [Double] in
                var x = [Double](repeating: 0, count: count)
                for (k, i) in discrete.enumerated() { x[i] = combo[k] }
                for (k, i) in continuous.enumerated() { x[i] = c[k] }
                return x
            }
            if continuous.isEmpty {
                _ = try evaluate(full([]))
                continue
            }
            let low = continuous.map { i -> Double in if case .continuous(let l, _) = spec.parameters[i].domain { l } else { 0 } }
            let high = continuous.map { i -> Double in if case .continuous(_, let h) = spec.parameters[i].domain { h } else { 1 } }
            let limit = points.count + budgetPerCombo
            var failure: Error?
            var me = self
            _ = NelderMead.minimize(low: low, high: high, maxIterations: budgetPerCombo, tolerance: spec.tolerance) { c in
                // Past the budget (or after an error) the simplex gets a flat answer and stops soon.
                guard failure == nil, me.points.count < limit else { return 1e300 }
                do { return try me.evaluate(full(c)) } catch { failure = error; return 1e300 }
            }
            self = me
            if let failure { throw failure }
        }
        let best = points.min { signed($0.values) < signed($1.values) }!
        return best
    }
}
