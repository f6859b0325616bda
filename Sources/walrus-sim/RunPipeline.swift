import Analysis
import Foundation
import ResultRecords
import ResultsStore
import ScenarioLoader
import SimEngine
import SimSupport
import Simulation
import Synchronization

/// Set by SIGINT/SIGTERM; the run loop checks it between chunks of simulated time.
let interruptRequested = Atomic<Bool>(false)

/// Installs handlers that ask the run loop to stop cleanly. A second signal kills at once
/// (the database is still consistent: SQLite commits are atomic and the run stays `incomplete`).
func installInterruptHandlers() {
    // A parent may have spawned us with these signals blocked (test runners do); unblock them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    for sig in [SIGINT, SIGTERM] {
        signal(sig) { s in
            if interruptRequested.exchange(true, ordering: .relaxed) {
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }
}

/// The code version recorded with every run: the git commit the executable was built from,
/// with `-dirty` when tracked files differed from it, or `unknown` outside a git checkout
/// (embedded at build time by the BuildInfoPlugin).
let walrusSimVersion = BuildInfo.commit == "unknown" ? "unknown" : BuildInfo.commit + (BuildInfo.dirty ? "-dirty" : "")

/// The toolchain recorded with every run: the compiler that built this executable and the
/// operating system it runs on (`/etc/os-release`'s PRETTY_NAME and the kernel's machine).
var toolchainDescription: String {
    var system = utsname()
    uname(&system)
    let machine = withUnsafeBytes(of: &system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let kernel = withUnsafeBytes(of: &system.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    var os = kernel
    if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
       let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
        os = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    return "\(BuildInfo.compiler); \(os) \(machine)"
}

/// What one run produced.
struct RunOutcome {
    var world: World
    var digest: TraceDigest
    var events: UInt64
    var end: SimTime
    var wallSeconds: Double
    var databasePath: String?
    var interrupted: Bool
    /// Event-count checkpoints `(events, time ns, digest)` when requested.
    var checkpoints: [(UInt64, UInt64, String)]
    /// Events in the trace window when requested.
    var trace: [Event]
}

/// Options for `runScenario` beyond the scenario itself.
struct RunSettings {
    var databasePath: String?
    var quiet = false
    var encoderThreads = 1
    var checkpointEvery: UInt64?
    var traceWindow: ClosedRange<UInt64>?
}

/// Builds the world (errors here write nothing), opens the results database, runs the
/// simulation in chunks with progress on a terminal, and finishes the database.
func runScenario(_ entry: ManifestEntry, file: ScenarioFile, fileText: String, settings: RunSettings) throws -> RunOutcome {
    let scenario = entry.scenario
    let world: World
    // Build once without a sink to validate everything before a file is created.
    do { _ = try World(scenario: scenario) } catch { throw CLIError("\(file.file): \(error)") }

    var store: SQLiteResultsStore?
    if let path = settings.databasePath {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let info = RunInfo(
            runID: runID(scenario), scenarioName: scenario.name, scenarioDigest: file.digest, scenarioText: fileText,
            parametersJSON: parametersJSON(entry), seed: scenario.seed, codeVersion: walrusSimVersion,
            toolchain: toolchainDescription, fidelity: scenario.fidelitySummary, wallStartedAt: isoNow())
        // An existing results database gets this run added (an earlier copy of the same run id
        // replaced); anything else at the path is refused, never overwritten.
        do { store = try SQLiteResultsStore(path: path, run: info, ifExists: .appendReplacingRun) } catch {
            throw CLIError("cannot write results to \(path): \(error)")
        }
        if let previous = store?.replacedRun, !settings.quiet {
            FileHandle.standardError.write(Data("note: \(path) already held run \(info.runID) (\(previous.rawValue)); it was replaced\n".utf8))
        }
    }
    do { world = try World(scenario: scenario, sink: store, options: World.Options(encoderThreads: settings.encoderThreads)) } catch {
        throw CLIError("\(file.file): \(error)")
    }

    var sim = Simulator(model: world)
    world.start(&sim.scheduler)
    let end = SimTime.zero + scenario.duration
    let clock = ContinuousClock()
    let started = clock.now
    let progress = Progress(enabled: !settings.quiet && isatty(STDERR_FILENO) != 0, duration: scenario.duration)
    var checkpoints: [(UInt64, UInt64, String)] = []
    var trace: [Event] = []
    var interrupted = false

    // Chunks of at most 1/200 of the run's simulated time and 200k events keep progress live
    // and interruption prompt without costing anything measurable.
    let slice = SimDuration(nanoseconds: max(1, scenario.duration.nanoseconds / 200))
    var nextStop = SimTime.zero + slice
    while true {
        var limits = RunLimits(until: min(nextStop, end), maxEvents: 200_000)
        if let every = settings.checkpointEvery {
            limits.maxEvents = every - sim.scheduler.eventsHandled % every
        }
        if let w = settings.traceWindow, sim.scheduler.eventsHandled + 1 >= w.lowerBound, sim.scheduler.eventsHandled < w.upperBound {
            limits.maxEvents = 1
        } else if let w = settings.traceWindow, sim.scheduler.eventsHandled < w.lowerBound {
            limits.maxEvents = min(limits.maxEvents, w.lowerBound - 1 - sim.scheduler.eventsHandled)
        }
        let reason = sim.run(limits)
        if let w = settings.traceWindow, w.contains(sim.scheduler.eventsHandled), limits.maxEvents == 1, reason == .eventLimit || reason == .requested {
            trace.append(sim.scheduler.currentEvent)
        }
        if let every = settings.checkpointEvery, sim.scheduler.eventsHandled % every == 0, reason == .eventLimit {
            checkpoints.append((sim.scheduler.eventsHandled, sim.scheduler.now.nanoseconds, sim.scheduler.digest.hex))
        }
        progress.update(now: sim.scheduler.now, events: sim.scheduler.eventsHandled, world: world, wall: seconds(clock.now - started))
        if interruptRequested.load(ordering: .relaxed) { interrupted = true; break }
        if reason == .timeLimit && sim.scheduler.now >= end { break }
        if reason == .idle { break }
        if reason == .timeLimit { nextStop = nextStop + slice }
    }
    progress.finish()
    let now = sim.scheduler.now
    let wall = seconds(clock.now - started)
    if interrupted {
        // Leave the run `incomplete`: flush what is buffered so the database says how far it got.
        try? store?.flush()
    } else {
        world.finish(now: now)
        if let store {
            do {
                try store.finish(RunSummary(eventDigest: sim.scheduler.digest, endNs: now.nanoseconds, wallFinishedAt: isoNow(),
                                            wallElapsedNs: UInt64(wall * 1e9)))
            } catch { throw CLIError("writing results to \(store.path): \(error)") }
        }
    }
    return RunOutcome(world: world, digest: sim.scheduler.digest, events: sim.scheduler.eventsHandled, end: now, wallSeconds: wall,
                      databasePath: settings.databasePath, interrupted: interrupted, checkpoints: checkpoints, trace: trace)
}

func runID(_ s: Scenario) -> String { "\(s.name)-seed\(s.seed)" }

func parametersJSON(_ entry: ManifestEntry) -> String {
    let pairs = entry.overrides.map { jsonString($0.keyPath) + ": " + jsonString($0.value) }
    return "{" + pairs.joined(separator: ", ") + "}"
}

func isoNow() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
}


/// One status line on stderr, rewritten in place; nothing when not a terminal.
final class Progress {
    let enabled: Bool
    let duration: SimDuration
    var lastPrint = -1.0

    init(enabled: Bool, duration: SimDuration) {
        self.enabled = enabled
        self.duration = duration
    }

    func update(now: SimTime, events: UInt64, world: World, wall: Double) {
        guard enabled, wall - lastPrint >= 0.25 else { return }
        lastPrint = wall
        let fraction = min(1, Double(now.nanoseconds) / Double(max(1, duration.nanoseconds)))
        let eta = fraction > 0.01 ? wall * (1 - fraction) / fraction : .nan
        let ops = world.operations
        let line = "  sim \(now) / \(SimTime.zero + duration)  \(Int(fraction * 100))%  events \(events)"
            + "  epoch \(world.view.epoch.rawValue)  writes \(ops.writesOK)  reads \(ops.readsOK)"
            + (eta.isFinite ? "  ETA \(Int(eta.rounded()))s" : "")
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func finish() {
        if enabled, lastPrint >= 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// Percentile of sorted durations (nearest rank).
func percentile(_ xs: [SimDuration], _ p: Double) -> SimDuration? {
    guard !xs.isEmpty else { return nil }
    let sorted = xs.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[max(0, min(sorted.count - 1, rank))]
}

func summary(_ o: RunOutcome) -> String {
    let w = o.world, ops = w.operations
    func lat(_ xs: [SimDuration]) -> String {
        guard let p50 = percentile(xs, 50), let p95 = percentile(xs, 95) else { return "-" }
        return "p50 \(p50), p95 \(p95)"
    }
    var lines = [
        "\(w.scenario.name) (seed \(w.scenario.seed)): \(o.interrupted ? "INTERRUPTED at" : "simulated") \(o.end) in \(formatted(o.wallSeconds, digits: 1)) s,"
            + " \(o.events) events (\(Int(Double(o.events) / max(o.wallSeconds, 1e-9))) /s), epoch \(w.view.epoch.rawValue)",
        "  writes: \(ops.writesOK) ok, \(ops.writesFailed) failed; latency \(lat(w.writeLatencies))",
        "  reads:  \(ops.readsOK) ok, \(ops.readsFailed) failed (\(w.readsFailedBeyondF) with more than f shards faulty), "
            + "\(ops.readsInvalid) invalid, \(ops.readsInconsistent) inconsistent; latency \(lat(w.readLatencies))",
        "  adversaries: \(w.responsesRejected) responses rejected, \(w.blobs.filter { $0.invalidAt != nil }.count) blobs declared invalid"
            + (w.sizesClipped + w.writesSkippedOversize > 0 ? "; oversize draws: \(w.sizesClipped) clipped, \(w.writesSkippedOversize) skipped" : ""),
        "  recovery: \(w.recoveries) sliver pairs recovered, \(w.recoveryBytes) bytes (spec §6.5 estimate \(w.recoveryBytesEstimate)); network: \(w.network.messagesDelivered) messages, \(w.network.messagesDropped) dropped",
        "  checks: \(w.violations.isEmpty ? "all passed" : "\(w.violations.count) problem(s)")",
        "  event digest: \(o.digest.hex)",
    ]
    for v in w.violations.prefix(10) { lines.append("    \(v)") }
    return lines.joined(separator: "\n")
}
