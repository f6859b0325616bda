import Foundation
import ScenarioLoader
import SimEngine
import SimSupport
import Simulation
import TestSupport
import Testing

/// Thousands of scenario files built from the documented keys with extreme and invalid values
/// (seeded: a failure prints the case number and its file). For each: `validate` (loading) and
/// `run` (building the world, then simulating a bounded number of events) agree — a file that
/// loads builds a world and runs without a trap — and on a sample, the real command exits 1
/// without writing a database whenever validation refuses.
@Suite struct ScenarioFuzzTests {
    static var cases: Int { ProcessInfo.processInfo.environment["WALRUS_SLOW_TESTS"] == "1" ? 20_000 : 3_000 }

    /// Values at, just past and far past every documented limit, plus ordinary ones.
    struct Generator {
        var rng: SplitMix64
        mutating func pick<T>(_ xs: [T]) -> T { xs[rng.below(xs.count)] }
        /// A deviation from the ordinary: a quarter as likely in tame files.
        mutating func chance(_ percent: Int) -> Bool { rng.below(100) < (wild ? percent : percent / 4) }
        /// The ordinary choice: more likely still in tame files.
        mutating func usual(_ percent: Int) -> Bool { rng.below(100) < (wild ? percent : 100 - (100 - percent) / 4) }

        mutating func duration() -> String {
            pick(["\"1ns\"", "\"1ms\"", "\"30s\"", "\"5m\"", "\"25m\"", "\"2h\"", "\"146d\"", "\"53000d\"", "\"54000d\"", "\"1000000000d\"",
                  "0", "\"0s\"", "-1", "1e10", "4.6e9", "60", "\"abc\"", "\"1h30m\"", "\"1.5s\"", "\"0.5ns\""])
        }
        mutating func size() -> String {
            pick(["\"1B\"", "\"0B\"", "\"1KiB\"", "\"64TiB\"", "\"4EiB\"", "\"5EiB\"", "9223372036854775807", "4611686018427387904", "-5", "\"1.5MB\"", "\"x\""])
        }
        mutating func int() -> String {
            pick(["0", "1", "2", "3", "4", "7", "10", "12", "100", "1000", "10000", "49155", "49156", "65535", "65536", "100000", "100001",
                  "10000000", "10000001", "-1", "9223372036854775807", "18000000000", "18446744073", "1.5", "\"3\""])
        }
        mutating func permille() -> String { pick(["0", "1", "500", "999", "1000", "1001", "-1", "1000000", "1000001"]) }
        mutating func distribution(positive: Bool = true) -> String {
            pick(["{ kind = \"constant\", value = 1000.0 }", "{ kind = \"constant\", value = 1e12 }", "{ kind = \"constant\", value = -1.0 }",
                  "{ kind = \"exponential\", mean = 30.0 }", "{ kind = \"exponential\", mean = 0.0 }", "{ kind = \"exponential\", mean = 1e-9 }",
                  "{ kind = \"lognormal\", mu = 8.0, sigma = 1.0 }", "{ kind = \"lognormal\", mu = 40.0, sigma = 3.0 }",
                  "{ kind = \"lognormal\", mu = 1e308, sigma = 1e308 }", "{ kind = \"uniform\", low = 5.0, high = 2.0 }",
                  "{ kind = \"uniform\", low = 1.0, high = 100.0 }", "{ kind = \"normal\", mean = 10.0, sd = 5.0, floor = 1.0 }",
                  "{ kind = \"pareto\", shape = 1.5, scale = 100.0 }", "{ kind = \"weibull\", scale = 10.0, shape = 0.5 }",
                  "{ kind = \"gamma\", shape = 2.0, scale = 1e300 }", "{ kind = \"nope\" }", "{ kind = \"constant\", value = nan }",
                  "{ kind = \"constant\", value = inf }"])
        }
        mutating func selection() -> String {
            pick(["[0]", "[1, 2]", "[0, 0]", "[99]", "[]", "{ random = 2 }", "{ random = 0 }", "{ shards_up_to = \"f\" }",
                  "{ shards_up_to = 3 }", "{ shards_up_to = 100000 }", "{ region = \"us-east\" }", "{ region = \"mars\" }", "{ indices = [1] }"])
        }

        /// Half the files are wild (every key may be extreme); the other half change one or two
        /// things at most, so that both valid and invalid files near the limits are common.
        var wild = true

        mutating func scenario(_ i: Int) -> String {
            wild = i % 2 == 0
            var s = ""
            s += "name = \(wild ? pick(["\"fuzz\"", "\"fuzz-\(i)\"", "\"..\"", "\".\"", "\"a/b\"", "\"ok_name.1\"", "\"\"", "\"-x\""]) : "\"fuzz-\(i)\"")\n"
            s += "seed = \(wild ? pick(["1", "7", "18446744073709551615", "-1"]) : "\(i)")\n"
            s += "duration = \(usual(80) ? pick(["\"10m\"", "\"25m\"", "\"1h\""]) : duration())\n"
            if chance(20) { s += "metrics_interval = \(duration())\n" }
            let shards = usual(85) ? pick(["4", "7", "10", "12", "31"]) : int()
            s += "\n[nodes]\ncount = \(usual(85) ? pick(["4", "6", "8", "12"]) : int())\nshards = \(shards)\n"
            if chance(15) { s += "capacity = \(size())\n" }
            if chance(10) { s += "commission_bp = \(pick(["0", "10000", "10001", "-3"]))\n" }
            if chance(30) {
                s += "stake = " + pick([
                    "{ kind = \"equal\", total_wal = \(int()) }", "{ kind = \"dirichlet\", total_wal = \(int()), alpha = \(pick(["1e-300", "0.01", "0.05", "2.0", "1e300"])) }",
                    "{ kind = \"zipf\", total_wal = \(int()), exponent = \(pick(["0.0", "1.0", "400.0", "-1.0"])) }",
                    "{ kind = \"explicit\", wal = [\(pick(["1, 2, 3, 4", "0, 0, 0, 0", "9223372036854775807, 9223372036854775807, 1, 1", "5"]))] }",
                ]) + "\n"
            }
            s += "\n[economics]\npreset = \"testnet\"\nepoch_duration = \(usual(80) ? "\"10m\"" : duration())\n"
            if chance(15) { s += "client_balance_wal = \(int())\n" }
            if chance(10) { s += "burn_bp = \(pick(["0", "10000", "10001"]))\n" }
            if chance(10) { s += "max_epochs_ahead = \(pick(["0", "1", "53", "1000", "1001"]))\n" }
            if chance(15) { s += "\n[clients]\ncount = \(usual(60) ? pick(["1", "2", "3"]) : int())\n" + (chance(30) ? "attempt_timeout = \(duration())\n" : "") }
            if chance(15) { s += "\n[network]\nloss_ppm = \(pick(["0", "1000", "1000000", "1000001"]))\n" }
            if usual(85) {
                s += "\n[[workload]]\nname = \"w\"\nkind = \"writes\"\ncount = \(usual(80) ? pick(["1", "3", "8"]) : int())\n"
                s += "inter_arrival_s = \(usual(70) ? "{ kind = \"exponential\", mean = 30.0 }" : distribution())\n"
                s += "size = \(usual(60) ? "{ kind = \"lognormal\", mu = 8.0, sigma = 1.0 }" : distribution())\n"
                if chance(20) { s += "oversize = \(pick(["\"clip\"", "\"skip\"", "\"truncate\""]))\n" }
                if chance(15) { s += "lifetime_epochs = \(pick(["[1, 5]", "[0, 3]", "[1, 54]", "[5, 1]"]))\n" }
                if chance(10) { s += "deletable_permille = \(permille())\n" }
                if chance(10) { s += "start = \(duration())\n" }
                if usual(60) {
                    s += "\n[[workload]]\nname = \"r\"\nkind = \"reads\"\ncount = \(pick(["1", "5", "0"]))\ninter_arrival_s = { kind = \"exponential\", mean = 20.0 }\n"
                }
                if chance(15) { s += "\n[[workload]]\nname = \"churn\"\nkind = \"stake_churn\"\nfraction_permille = \(permille())\n" }
            }
            for f in 0..<(chance(50) ? rng.below(3) + 1 : 0) {
                s += "\n[[fault]]\nname = \"f\(f)\"\nat = \(usual(70) ? pick(["\"1m\"", "\"3m\"", "\"10m\""]) : duration())\n"
                if usual(70) { s += "duration = \(usual(70) ? pick(["\"2m\"", "\"5m\""]) : duration())\n" }
                switch rng.below(5) {
                case 0: s += "kind = \"crash\"\nnodes = \(selection())\n" + (chance(50) ? "lose_disk = true\n" : "")
                case 1: s += "kind = \"partition\"\n" + (chance(50) ? "regions = \(pick(["[\"us-east\"]", "[\"us-east\", \"us-east\"]", "[\"pluto\"]", "[]"]))\n" : "nodes = \(selection())\n")
                    + (chance(30) ? "direction = \(pick(["\"both\"", "\"outbound\"", "\"inbound\"", "\"sideways\""]))\n" : "")
                case 2: s += "kind = \"loss\"\nloss_ppm = \(pick(["0", "1", "500000", "1000000", "1000001"]))\n"
                case 3: s += "kind = \"latency_spike\"\nnodes = \(selection())\nextra = \(duration())\n"
                default: s += "kind = \"throttle\"\nnodes = \(selection())\npermille = \(permille())\n"
                }
            }
            // Real encoding only where it is quick in a debug build; modeled elsewhere.
            let small = Int(shards).map { $0 <= 31 } ?? false
            s += "\n[fidelity]\nsignatures = \"modeled\"\nencoding = \(small && chance(50) ? "\"real\"" : "\"modeled\"")\n"
            if chance(5) { s += "cpu_hash_cost = \(duration())\n" }
            return s
        }
    }

    @Test func validateAndRunAgreeOnGeneratedFiles() throws {
        var generator = Generator(rng: SplitMix64(seed: 0xF022))
        var loaded = 0, refused = 0
        for i in 0..<Self.cases {
            let text = generator.scenario(i)
            let file: ScenarioFile
            do {
                file = try ScenarioLoader.load(source: text, file: "fuzz-\(i).toml")
            } catch {
                refused += 1
                #expect(error.description.hasPrefix("fuzz-\(i).toml: "), "case \(i): \(error)\n\(text)")
                continue
            }
            loaded += 1
            // What `run` does: build the world (nothing may fail that loading accepted), then run.
            guard let entry = file.entry(0) else { Issue.record("case \(i): no entry 0"); continue }
            let world: World
            do { world = try World(scenario: entry.scenario) } catch {
                Issue.record("case \(i): validate accepted it but building the world failed: \(error)\n\(text)")
                continue
            }
            var sim = Simulator(model: world)
            world.start(&sim.scheduler)
            _ = sim.run(RunLimits(until: SimTime.zero + entry.scenario.duration, maxEvents: 3_000))
            world.finish(now: sim.scheduler.now)
        }
        // The generator must exercise both sides.
        #expect(loaded > Self.cases / 10 && refused > Self.cases / 10, "loaded \(loaded), refused \(refused)")
    }

    /// On a sample of generated files, the real commands: `validate` and `run` exit alike, and
    /// `run` exiting 1 leaves no database behind.
    @Test func theCommandsAgreeAndExitOneWritesNothing() throws {
        var generator = Generator(rng: SplitMix64(seed: 0xC11))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("walrus-sim-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var refused = 0
        for i in 0..<40 {
            let text = generator.scenario(i).replacingOccurrences(of: "duration = \"1h\"", with: "duration = \"10m\"")
            let path = dir.appendingPathComponent("case-\(i).toml")
            try text.write(to: path, atomically: true, encoding: .utf8)
            let v = try CLI.run(["validate", path.path])
            guard v.status != 0 else { continue }
            refused += 1
            let out = dir.appendingPathComponent("case-\(i).sqlite")
            let r = try CLI.run(["run", path.path, "--quiet", "--out", out.path])
            #expect(r.status == 1, "case \(i): validate refused but run exited \(r.status)\n\(text)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "case \(i): run wrote a database on exit 1")
        }
        #expect(refused > 5)
    }
}
