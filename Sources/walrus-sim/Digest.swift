import ArgumentParser
import ResultsStore

/// `walrus-sim digest DB`: the content digest of every run in a results database, one
/// `run_id<TAB>status<TAB>digest` line per run in run-id order. Two databases hold the same
/// results exactly when these lines agree (wall-clock columns are not part of the digest).
struct Digest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each run's content digest (ResultsDatabase.contentDigest), sorted by run id."
    )

    @Argument(help: "A results database.") var database: String
    @Argument(help: "Only these runs (default: all).") var runs: [String] = []

    func run() throws {
        do {
            let db = try ResultsDatabase(path: database)
            let entries = try db.runs()
            let chosen = runs.isEmpty ? entries : try runs.sorted().map { id in
                guard let e = entries.first(where: { $0.runID == id }) else { throw ResultsStoreError.runNotFound(path: database, runID: id) }
                return e
            }
            for e in chosen { print("\(e.runID)\t\(e.status.rawValue)\t\(try db.contentDigest(runID: e.runID))") }
        } catch let e as ResultsStoreError {
            throw CLIError(e.description)
        }
    }
}
