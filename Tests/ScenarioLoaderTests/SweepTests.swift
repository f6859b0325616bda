@testable import ScenarioLoader
import SimSupport
import Simulation
import Testing

@Suite struct Sweeps {
    static let source = """
        name = "burn"
        duration = "1h"
        seeds = { from = 7, count = 2 }

        [nodes]
        count = 10
        shards = 40

        [[workload]]
        name = "uploads"
        kind = "writes"
        count = 5
        inter_arrival_s = 1
        size = "1KiB"

        [sweep]
        "nodes.count" = [10, 20]
        "economics.burn_bp" = [0, 300, 600]
        "workload.uploads.count" = [5]
        """

    /// Axes in file order, the first varying slowest, seeds fastest; names carry the index.
    @Test func expansionOrder() throws {
        let file = try ScenarioLoader.load(source: Self.source, file: "burn.toml")
        #expect(file.axes.map(\.keyPath) == ["nodes.count", "economics.burn_bp", "workload.uploads.count"])
        #expect(file.seeds == [7, 8])
        let entries = file.expand()
        #expect(entries.count == 12)
        #expect(file.runCount == 12)
        #expect(entries.map(\.index) == Array(0..<12))
        #expect(entries.map(\.seed) == [7, 8, 7, 8, 7, 8, 7, 8, 7, 8, 7, 8])
        #expect(entries.map(\.scenario.nodes.count) == [10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20])
        #expect(entries.map { $0.scenario.economics.burnBasisPoints } == [0, 0, 300, 300, 600, 600, 0, 0, 300, 300, 600, 600])
        #expect(entries[0].scenario.name == "burn-00")
        #expect(entries[11].scenario.name == "burn-11")
        #expect(entries[3].overrides.map(\.description) == ["nodes.count = 10", "economics.burn_bp = 300", "workload.uploads.count = 5"])
        #expect(file.entry(12) == nil)
        #expect(file.entry(5) == entries[5])
    }

    /// The digest is a function of the file's text: equal for equal text, different otherwise,
    /// and the same across loads (it identifies the scenario in results).
    @Test func digest() throws {
        let a = try ScenarioLoader.load(source: Self.source, file: "a.toml")
        let b = try ScenarioLoader.load(source: Self.source, file: "b.toml")
        let c = try ScenarioLoader.load(source: Self.source + "\n# changed\n", file: "a.toml")
        #expect(a.digest == b.digest)
        #expect(a.digest != c.digest)
        #expect(a.digest.count == 32)
        var d = TraceDigest()
        d.absorb(Self.source)
        #expect(a.digest == d.hex)
    }

    /// Values that are tables replace the whole value; indexed paths reach into arrays.
    @Test func tableValuesAndIndices() throws {
        let file = try ScenarioLoader.load(source: minimal + """
            [[workload]]
            name = "w"
            kind = "writes"
            count = 5
            inter_arrival_s = 1
            size = "1KiB"

            [sweep]
            "nodes.stake" = [{ kind = "equal" }, { kind = "dirichlet", alpha = 0.3 }]
            "workload[0].size" = ["1KiB", "1MiB"]
            """, file: "t.toml")
        let entries = file.expand()
        #expect(entries.count == 4)
        #expect(entries[1].scenario.nodes.stake == .equal(totalWAL: 1_000_000_000))
        #expect(entries[2].scenario.nodes.stake == .dirichlet(totalWAL: 1_000_000_000, alpha: 0.3))
        guard case .writes(let w) = entries[1].scenario.workloads[0].kind else { Issue.record("not writes"); return }
        #expect(w.sizeBytes == .constant(1_048_576))
        #expect(entries[2].overrides[0].value == "{ alpha = 0.3, kind = \"dirichlet\" }")
    }

    @Test func singleRunKeepsItsName() throws {
        let file = try ScenarioLoader.load(source: "name = \"one\"\nseeds = [5]\n" + minimal, file: "x.toml")
        #expect(file.expand().map(\.scenario.name) == ["one"])
        #expect(file.expand().map(\.seed) == [5])
    }

    @Test func tooManyRuns() {
        #expect {
            _ = try ScenarioLoader.load(source: "seeds = { from = 0, count = 1000 }\n" + minimal + "[sweep]\n\"nodes.count\" = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104]\n", file: "big.toml")
        } throws: { error in
            (error as! ScenarioError).kind == .invalidSweep
        }
    }
}

@Suite struct SweepAddressing {
    static let faulty = minimal + """
        [[fault]]
        name = "crash-f"
        kind = "crash"
        at = "10m"
        nodes = { shards_up_to = "f" }

        """

    /// Faults are addressed by name, and `"f"` is evaluated against each run's own shard count.
    @Test func faultByNameAndShardExpressionFollowsShards() throws {
        let file = try ScenarioLoader.load(source: Self.faulty + """
            [sweep]
            "nodes.shards" = [40, 100]
            "fault.crash-f.at" = ["5m", "20m"]
            """, file: "f.toml")
        let faults = file.expand().map(\.scenario.faults[0])
        #expect(faults.map(\.at) == [.minutes(5), .minutes(20), .minutes(5), .minutes(20)])
        #expect(faults.map(\.kind) == [13, 13, 33, 33].map { FaultSpec.Kind.crash(nodes: .shardsUpTo($0), loseDisk: false) })
    }

    /// A swept value that breaks a check elsewhere names the run it came from.
    @Test func semanticErrorNamesTheRun() {
        #expect {
            _ = try ScenarioLoader.load(source: Self.faulty + "[sweep]\n\"duration\" = [\"1h\", \"5m\"]\n", file: "f.toml")
        } throws: { error in
            let e = error as! ScenarioError
            return e.kind == .invalidScenario && e.keyPath == "fault[0].at" && e.message.hasSuffix("(in the sweep run with duration = \"5m\")")
        }
    }
}

@Suite struct LibraryScan {
    /// A library with broken files lists them as INVALID with their errors instead of failing.
    @Test func invalidFilesAreListedWithTheirErrors() throws {
        let items = try ScenarioLibrary.scan(directory: MalformedFiles.directory.path)
        #expect(items.count == MalformedFiles.files.count)
        #expect(items.map(\.relativePath) == MalformedFiles.files)
        for item in items { #expect(item.summary.hasPrefix("INVALID: ")) }
    }
}

@Test func scanningAMissingDirectoryFails() {
    #expect {
        _ = try ScenarioLibrary.scan(directory: "/nonexistent/Scenarios")
    } throws: { error in
        (error as! ScenarioError).kind == .unreadable
    }
}
