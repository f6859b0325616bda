import ArgumentParser
import SimEngine

/// `walrus-sim bench phold`: the PHOLD engine benchmark (../shared/bench/README.md).
struct BenchPHOLD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phold",
        abstract: "Run PHOLD through the event engine and print its event rate and digest.",
        discussion: """
            Prints one line: phold lps=.. population=.. events=.. seed=.. wall_s=.. \
            events_per_s=.. digest=..  The digest fingerprints the event stream: the same seed \
            gives the same digest on every run and machine with this toolchain. Set-up is \
            excluded from the timing, as for the peers in ../shared/bench.
            """
    )

    @Option(name: .long, help: "Logical processes (>= 1).")
    var lps: Int = 1000

    @Option(name: .long, help: "Initial events per logical process (>= 1).")
    var population: Int = 8

    @Option(name: .long, help: "Events to handle in total (>= 1).")
    var events: UInt64 = 10_000_000

    @Option(name: .long, help: "Run seed (0 ... 2^64-1).")
    var seed: UInt64 = 1

    func validate() throws {
        do {
            try PHOLD.Configuration(lps: lps, population: population, totalEvents: events, seed: seed).validate()
        } catch .invalid(let why) {
            throw ValidationError(why)
        }
    }

    func run() throws {
        let config = PHOLD.Configuration(lps: lps, population: population, totalEvents: events, seed: seed)
        var simulator = try PHOLD.makeSimulator(config)
        let clock = ContinuousClock()
        let start = clock.now
        _ = simulator.run()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let handled = simulator.model.handled
        print(
            "phold lps=\(lps) population=\(population) events=\(handled) seed=\(seed)"
                + " wall_s=\(formatted(seconds, digits: 3)) events_per_s=\(Int((Double(handled) / seconds).rounded()))"
                + " target_sum=\(simulator.model.targetSum) digest=\(simulator.scheduler.digest.hex)"
        )
    }
}

/// `x` with `digits` decimals, without Foundation's formatters.
func formatted(_ x: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (x * scale).rounded() / scale
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        s += "." + String(repeating: "0", count: digits)
    }
    return s
}
