#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimEngine
import SimSupport

/// The workloads Walrus is used for, as named defaults for a writes or a reads workload
/// (`preset = "agent-memory"` in a `[[workload]]` table; every key the table sets overrides the
/// preset's). A preset gives shapes, not volumes: `count` is always the scenario's.
///
/// Each preset's numbers are stated with their public sources in `Scenarios/workloads/README.md`;
/// they are orders of magnitude from those sources, meant as a reasonable starting point, not
/// as a measurement of any one deployment.
public enum WorkloadPreset: String, Sendable, CaseIterable {
    /// Training-set shards of 64-512 MiB written in bursts (a dataset version at a time) and
    /// read sequentially, over and over, by many readers.
    case aiDataset = "ai-dataset"
    /// Few very large checkpoint files (a lognormal around 2 GiB), written rarely; read in a
    /// burst after each release, newest first.
    case modelWeights = "model-weights"
    /// Many small records (a lognormal around 2 KiB) written often, kept an epoch or two,
    /// deletable, read back soon after they are written and re-read.
    case agentMemory = "agent-memory"
    /// Images and video (a lognormal around 256 KiB with a long tail), written and read on a
    /// daily cycle, reads following a Zipf popularity.
    case media
    /// Small site files (a lognormal around 16 KiB) deployed together in bursts, read by
    /// visitors on a daily cycle with a Zipf popularity.
    case website
    /// Large objects (a lognormal around 1 GiB) written once, kept for a year, rarely read.
    case archive

    private static let kib = 1_024.0, mib = 1_048_576.0, gib = 1_073_741_824.0
    private static let hour = 3_600.0, day = 86_400.0

    /// A lognormal with median `median` and shape `sigma`.
    private static func lognormal(median: Double, sigma: Double) -> Distribution {
        .lognormal(mu: log(median), sigma: sigma)
    }

    /// The daily cycle of interactive traffic: peak at 20:00, trough at 08:00, peak about three
    /// times the trough (amplitude 0.5).
    private static let diurnal = ArrivalProcess.diurnal(amplitude: 0.5, peak: .seconds(20 * 3_600), period: .seconds(86_400))

    /// The preset's defaults for a writes workload of `count` blobs (records, with quilts).
    public func writes(count: Int) -> WriteWorkload {
        var w: WriteWorkload
        switch self {
        case .aiDataset:
            w = WriteWorkload(interArrivalSeconds: .exponential(mean: 10), sizeBytes: .uniform(low: 64 * Self.mib, high: 512 * Self.mib), count: count)
            w.arrival = .bursty(burstOperations: .uniform(low: 32, high: 256), idleSeconds: .exponential(mean: 7 * Self.day))
            w.lifetimeEpochs = 13...26
        case .modelWeights:
            w = WriteWorkload(interArrivalSeconds: .exponential(mean: 2 * Self.day), sizeBytes: Self.lognormal(median: 2 * Self.gib, sigma: 1), count: count)
            w.lifetimeEpochs = 13...53
        case .agentMemory:
            w = WriteWorkload(interArrivalSeconds: .exponential(mean: 1), sizeBytes: Self.lognormal(median: 2 * Self.kib, sigma: 1), count: count)
            w.lifetimeEpochs = 1...2
            w.deletablePermille = 500
        case .media:
            w = WriteWorkload(interArrivalSeconds: .exponential(mean: 5), sizeBytes: Self.lognormal(median: 256 * Self.kib, sigma: 2), count: count)
            w.arrival = Self.diurnal
            w.lifetimeEpochs = 4...26
        case .website:
            w = WriteWorkload(interArrivalSeconds: .exponential(mean: 0.5), sizeBytes: Self.lognormal(median: 16 * Self.kib, sigma: 1.5), count: count)
            w.arrival = .bursty(burstOperations: .uniform(low: 10, high: 200), idleSeconds: .exponential(mean: 3 * Self.day))
            w.lifetimeEpochs = 4...13
        case .archive:
            w = WriteWorkload(interArrivalSeconds: .exponential(mean: Self.hour), sizeBytes: Self.lognormal(median: Self.gib, sigma: 1), count: count)
            w.lifetimeEpochs = 26...53
        }
        w.preset = rawValue
        return w
    }

    /// The preset's defaults for a reads workload of `count` reads.
    public func reads(count: Int) -> ReadWorkload {
        var r: ReadWorkload
        switch self {
        case .aiDataset:
            r = ReadWorkload(interArrivalSeconds: .exponential(mean: 1), count: count)
            r.popularity = .sequential
        case .modelWeights:
            r = ReadWorkload(interArrivalSeconds: .exponential(mean: 60), count: count)
            r.popularity = .recency(halfLife: .seconds(2 * 86_400))
        case .agentMemory:
            r = ReadWorkload(interArrivalSeconds: .exponential(mean: 0.5), count: count)
            r.popularity = .recency(halfLife: .seconds(3_600))
            r.rereadPermille = 300
        case .media:
            r = ReadWorkload(interArrivalSeconds: .exponential(mean: 0.5), count: count)
            r.arrival = Self.diurnal
            r.popularity = .zipf(exponent: 0.8)
        case .website:
            r = ReadWorkload(interArrivalSeconds: .exponential(mean: 1), count: count)
            r.arrival = Self.diurnal
            r.popularity = .zipf(exponent: 1)
        case .archive:
            r = ReadWorkload(interArrivalSeconds: .exponential(mean: Self.day), count: count)
        }
        r.preset = rawValue
        return r
    }
}
