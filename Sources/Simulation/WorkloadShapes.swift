import SimEngine
import SimSupport

/// How a workload's operations are spread over time. The gaps themselves always come from the
/// workload's `inter_arrival_s`; the process decides how they are laid on the clock.
public enum ArrivalProcess: Sendable, Equatable {
    /// Gaps follow one another directly: a renewal process (Poisson for exponential gaps).
    case renewal
    /// A daily (or any `period`) cycle. The gaps are spent in operational time, which runs at
    /// `1 + amplitude * sin(2 pi (t - peak) / period + pi / 2)` times the base rate: the rate peaks
    /// at `peak` into each period (time 0 is the start of a period), bottoms out half a period
    /// later, and averages to the base rate over whole periods (time rescaling of the renewal
    /// process). Invariant: `0 <= amplitude < 1`, so the rate never reaches zero.
    case diurnal(amplitude: Double, peak: SimDuration, period: SimDuration)
    /// Bursts: `burstOperations` operations (one draw per burst, rounded, at least one) separated
    /// by `inter_arrival_s` gaps, then an idle gap drawn from `idleSeconds` before the next burst.
    case bursty(burstOperations: Distribution, idleSeconds: Distribution)

    /// The name used in scenario files (`arrival = "..."`).
    public var name: String {
        switch self {
        case .renewal: "renewal"
        case .diurnal: "diurnal"
        case .bursty: "bursty"
        }
    }

    /// The names a scenario file may use, in documentation order.
    public static let names = ["renewal", "diurnal", "bursty"]
}

/// Which blob a read picks among those it may read (certified, unexpired, undeleted).
public enum ReadPopularity: Sendable, Equatable {
    /// Every readable blob equally (the default, and walrus-sim's behaviour before presets).
    case uniform
    /// A Zipf law: each blob gets a popularity rank when it is certified (a uniform draw from
    /// its own stream, so its popularity does not depend on anything else in the run), and the
    /// blob of rank k is read with weight k^-exponent. Invariant: `0 < exponent <= 2`.
    case zipf(exponent: Double)
    /// Newer blobs more: the read aims at a blob certified `age` ago, with `age` exponential
    /// with median `halfLife` (a blob's chance halves with every half-life of age), and takes
    /// the newest readable blob certified at or before then (the oldest if none).
    case recency(halfLife: SimDuration)
    /// Every readable blob in certification order, then from the start again: a training job
    /// streaming a dataset's shards.
    case sequential

    /// The name used in scenario files (`popularity = "..."`).
    public var name: String {
        switch self {
        case .uniform: "uniform"
        case .zipf: "zipf"
        case .recency: "recency"
        case .sequential: "sequential"
        }
    }

    /// The names a scenario file may use, in documentation order.
    public static let names = ["uniform", "zipf", "recency", "sequential"]
}
