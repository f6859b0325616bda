import Foundation
import ScenarioLoader
import SimSupport
import Simulation
import Testing

/// The scenario library in `Scenarios/` must load and validate as a whole: a file that rots
/// as the schema changes fails here, not when someone runs it.
@Suite struct Library {
    /// `Scenarios/` of this checkout, found from this source file.
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Scenarios").path
    }()

    @Test func everyFileLoadsAndValidates() throws {
        let items = try ScenarioLibrary.scan(directory: Self.directory)
        #expect(items.count >= 12)
        for item in items {
            switch item.result {
            case .success(let file):
                #expect(!file.description.isEmpty, "\(item.relativePath) needs a description for walrus-sim list")
                for entry in file.expand() { #expect(throws: Never.self) { try entry.scenario.validate() } }
            case .failure(let error):
                Issue.record("\(error)")
            }
        }
    }

    @Test func tiersArePresent() throws {
        let paths = try ScenarioLibrary.scan(directory: Self.directory).map(\.relativePath)
        #expect(paths.contains("quickstart.toml"))
        for tier in ["failure/", "incentives/", "paper/"] {
            #expect(paths.contains { $0.hasPrefix(tier) }, "no scenario in \(tier)")
        }
    }

    /// The issue's quickstart: tens of nodes, a few hundred blobs, two epochs, one crash.
    @Test func quickstartIsSmall() throws {
        let file = try ScenarioLoader.load(path: Self.directory + "/quickstart.toml")
        let s = try #require(file.expand().first).scenario
        #expect(file.runCount == 1)
        #expect((10...99).contains(s.nodes.count))
        let epoch = try #require(s.economics.epochDuration)
        #expect(s.duration == epoch * 2)
        let writes = s.workloads.compactMap { if case .writes(let w) = $0.kind { w.count } else { nil } }.reduce(0, +)
        #expect((100...999).contains(writes))
        #expect(s.faults.count == 1)
    }
}

/// The complete example in `Scenarios/README.md` is a real file: it must load, so the reference
/// cannot drift from the schema.
@Test func readmeExampleLoads() throws {
    let readme = try String(contentsOfFile: Library.directory + "/README.md", encoding: .utf8)
    let blocks = readme.components(separatedBy: "```toml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    let complete = blocks.filter { $0.contains("duration =") && $0.contains("[nodes]") }
    #expect(complete.count >= 1)
    for block in complete {
        let file = try ScenarioLoader.load(source: block, file: "README.md")
        #expect(file.runCount == 4)
        #expect(file.expand()[3].overrides.map(\.description) == ["workload.uploads.size = \"1MiB\""])
    }
}
