import ArgumentParser
import ScenarioLoader

/// `walrus-sim list`: the scenario library, one line per file.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the scenario library: each file's path and one-line description.",
        discussion: """
            Scans the directory recursively for .toml files, sorted by path. A file that does \
            not load is listed with its error, and the command then exits with a non-zero status.
            """
    )

    @Option(name: .long, help: "The scenario library directory.")
    var dir: String = "Scenarios"

    func run() throws {
        let items = try ScenarioLibrary.scan(directory: dir)
        let width = items.map(\.relativePath.count).max() ?? 0
        for item in items {
            let runs = (try? item.result.get()).map { $0.runCount > 1 ? " [\($0.runCount) runs]" : "" } ?? ""
            let pad = String(repeating: " ", count: width - item.relativePath.count)
            print(item.relativePath + pad + "  " + item.summary + runs)
        }
        if items.contains(where: { if case .failure = $0.result { true } else { false } }) { throw ExitCode.failure }
    }
}
