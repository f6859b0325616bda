import Analysis
import ArgumentParser
import ResultsStore

/// `walrus-sim report DB`: per sweep point, n, mean, sd and a 95% confidence interval of one
/// metric over the seeds, and each point's difference from the first, paired and unpaired.
/// The statistics live in the `Analysis` target; this command only handles arguments.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Means and 95% confidence intervals of a metric per sweep point.",
        discussion: "Named metrics:\n" + NamedMetric.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    )

    @Argument(help: "A results database (e.g. the merged database of a sweep).") var database: String
    @Option(help: "A named metric (see below).") var metric: String?
    @Option(help: "SQL returning (run_id, value), one row per run.") var sql: String?
    @Option(name: .customLong("by"), parsing: .upToNextOption,
            help: "Sweep key paths to group runs by (e.g. economics.burn_bp); none: all runs together.")
    var by: [String] = []
    @Flag(help: "CSV: one row per sweep point.") var csv = false
    @Flag(help: "JSON, with paired and unpaired differences.") var json = false

    func validate() throws {
        guard (metric == nil) != (sql == nil) else { throw ValidationError("give exactly one of --metric NAME and --sql QUERY") }
        guard !(csv && json) else { throw ValidationError("give at most one of --csv and --json") }
        guard Set(by).count == by.count else { throw ValidationError("--by names a key path twice") }
    }

    func run() throws {
        let label: String, query: String
        if let metric {
            guard let m = NamedMetric.named(metric) else {
                throw CLIError(ReportError.unknownMetric(name: metric, known: NamedMetric.all.map(\.name)).description)
            }
            (label, query) = (m.name, m.sql)
        } else {
            (label, query) = ("sql", sql!)
        }
        let report: SweepReport
        do {
            let db = try ResultsDatabase(path: database)
            report = try SweepReport.build(database: db, metric: label, metricSQL: query, by: by)
        } catch let e as ReportError {
            throw CLIError("\(database): \(e)")
        } catch {
            throw CLIError("\(error)")
        }
        print(csv ? report.csv() : json ? report.json() : report.table(), terminator: "")
    }
}
