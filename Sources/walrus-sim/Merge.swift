import ArgumentParser
import ResultsStore

/// `walrus-sim merge OUT IN...`: combines per-run result files into one (DESIGN §8).
///
/// Runs already complete in OUT are skipped, so merging again after a sweep resumes copies
/// only what is new; runs that did not complete in their own file are left out. Each input is
/// merged in one transaction, so an error leaves OUT as the previous input left it. A run
/// present in both with different event digests is a conflict: reported, left alone, exit 1.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge results databases, skipping runs already present."
    )

    @Argument(help: "The database to merge into; created if absent.") var output: String
    @Argument(help: "The databases to merge from.") var inputs: [String]

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one input database") }
    }

    func run() throws {
        let report = try ResultsDatabase.merge(sources: inputs, into: output)
        for entry in report.entries {
            let what = switch entry.outcome {
            case .copied: "copied"
            case let .replaced(previous): "replaced \(previous.rawValue) copy"
            case .skippedPresent: "skipped: already present"
            case let .skippedNotComplete(status): "skipped: \(status.rawValue) in source"
            case let .conflict(present, source):
                "CONFLICT: \(output) holds this run with event digest \(present), the source has \(source); neither was changed"
            }
            print("\(entry.runID)\t\(entry.source)\t\(what)")
        }
        print("merged=\(report.copied.count) skipped=\(report.skipped.count) conflicts=\(report.conflicts.count) into=\(output)")
        // The same run id with other results is a question the user must answer, not a skip.
        if !report.conflicts.isEmpty {
            throw CLIError("\(report.conflicts.count) run(s) present in \(output) with a different event digest (listed above); "
                + "the same scenario and seed gave different results, so they were not merged")
        }
    }
}
