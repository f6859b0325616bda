import Foundation
import ScenarioLoader
import Testing

@testable import Simulation

/// Every scenario in the library must not only load (ScenarioLoaderTests) but build a world:
/// a file that validates and then fails at `run` would be a trap for users.
@Suite struct ScenarioLibraryWorldTests {
    static var scenarioFiles: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Scenarios")
        let e = FileManager.default.enumerator(atPath: dir.path)
        var files: [String] = []
        while let f = e?.nextObject() as? String { if f.hasSuffix(".toml") { files.append(dir.appendingPathComponent(f).path) } }
        return files.sorted()
    }

    @Test func libraryIsNotEmpty() { #expect(Self.scenarioFiles.count >= 10) }

    @Test(arguments: scenarioFiles)
    func everyEntryBuildsAWorld(path: String) throws {
        let file = try ScenarioLoader.load(path: path)
        // The first and last manifest entries cover the extremes of a sweep.
        for i in Set([0, file.runCount - 1]) {
            let entry = try #require(file.entry(i))
            #expect(throws: Never.self, "\(path) entry \(i)") { _ = try World(scenario: entry.scenario) }
        }
    }
}
