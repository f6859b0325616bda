import ArgumentParser
import Foundation
import ScenarioLoader

/// `walrus-sim validate FILE...`: load and validate scenario files, writing nothing.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files and report how many runs each expands to.",
        discussion: """
            Prints "ok: FILE (N runs)" for each valid file. For an invalid file, prints the \
            error (file, key path, what was expected, line) to standard error and exits with a \
            non-zero status after checking the remaining files. Writes nothing.
            """
    )

    @Argument(help: "Scenario files (TOML).")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one scenario file") }
    }

    func run() throws {
        var failures = 0
        for path in files {
            do {
                let file = try ScenarioLoader.load(path: path)
                print("ok: \(path) (\(file.runCount) run\(file.runCount == 1 ? "" : "s"))")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
