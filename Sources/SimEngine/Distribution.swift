#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A real-valued random distribution, as a value: what scenario files name for arrival gaps,
/// blob sizes, latencies, lifetimes and so on.
///
/// `validate()` checks the parameters and names the first bad one; scenario loading runs it so
/// that a run never starts with a distribution that would make GSL return NaN.
public enum Distribution: Sendable, Equatable, CustomStringConvertible {
    /// Always `value`.
    case constant(Double)
    /// Uniform on `[low, high)`.
    case uniform(low: Double, high: Double)
    /// Exponential with the given mean.
    case exponential(mean: Double)
    /// Normal with mean and standard deviation, clamped below at `floor` (draws below it return
    /// `floor`), so that sizes and delays drawn from it stay valid.
    case normal(mean: Double, standardDeviation: Double, floor: Double)
    /// Lognormal: `exp(N(mu, sigma))`.
    case lognormal(mu: Double, sigma: Double)
    /// Pareto with shape `alpha` and minimum `scale`.
    case pareto(shape: Double, scale: Double)
    /// Weibull with `scale` (lambda) and `shape` (k).
    case weibull(scale: Double, shape: Double)
    /// Gamma with `shape` (k) and `scale` (theta).
    case gamma(shape: Double, scale: Double)

    /// Throws `DistributionError.invalid` naming the distribution and the offending parameter.
    public func validate() throws(DistributionError) {
        func finite(_ x: Double, _ name: String) throws(DistributionError) {
            guard x.isFinite else { throw .invalid(kindName, "\(name) must be a finite number, got \(x)") }
        }
        func positive(_ x: Double, _ name: String) throws(DistributionError) {
            try finite(x, name)
            guard x > 0 else { throw .invalid(kindName, "\(name) must be > 0, got \(x)") }
        }
        switch self {
        case .constant(let v): try finite(v, "value")
        case .uniform(let lo, let hi):
            try finite(lo, "low"); try finite(hi, "high")
            guard lo < hi else { throw .invalid(kindName, "low (\(lo)) must be < high (\(hi))") }
        case .exponential(let mean): try positive(mean, "mean")
        case .normal(let mean, let sd, let floor):
            try finite(mean, "mean"); try finite(floor, "floor")
            try finite(sd, "standard_deviation")
            guard sd >= 0 else { throw .invalid(kindName, "standard_deviation must be >= 0, got \(sd)") }
        case .lognormal(let mu, let sigma):
            try finite(mu, "mu"); try positive(sigma, "sigma")
        case .pareto(let a, let b): try positive(a, "shape"); try positive(b, "scale")
        case .weibull(let l, let k): try positive(l, "scale"); try positive(k, "shape")
        case .gamma(let k, let t): try positive(k, "shape"); try positive(t, "scale")
        }
    }

    /// One draw from `stream`. The distribution must be valid.
    public func sample(_ stream: RandomStream) -> Double {
        switch self {
        case .constant(let v): return v
        case .uniform(let lo, let hi): return lo + (hi - lo) * stream.uniform()
        case .exponential(let mean): return stream.exponential(mean: mean)
        case .normal(let mean, let sd, let floor): return max(floor, stream.normal(mean: mean, standardDeviation: sd))
        case .lognormal(let mu, let sigma): return stream.lognormal(mu: mu, sigma: sigma)
        case .pareto(let a, let b): return stream.pareto(shape: a, scale: b)
        case .weibull(let l, let k): return stream.weibull(scale: l, shape: k)
        case .gamma(let k, let t): return stream.gamma(shape: k, scale: t)
        }
    }

    /// The expected value, where it exists (`nil` for Pareto with shape <= 1).
    public var mean: Double? {
        switch self {
        case .constant(let v): return v
        case .uniform(let lo, let hi): return (lo + hi) / 2
        case .exponential(let mean): return mean
        case .normal(let mean, _, _): return mean
        case .lognormal(let mu, let sigma): return exp(mu + sigma * sigma / 2)
        case .pareto(let a, let b): return a > 1 ? a * b / (a - 1) : nil
        case .weibull(let l, let k): return l * tgamma(1 + 1 / k)
        case .gamma(let k, let t): return k * t
        }
    }

    /// The smallest value a draw can take: the constant, uniform's low end, normal's floor,
    /// Pareto's scale, and 0 for the kinds whose support starts at 0.
    public var smallestValue: Double {
        switch self {
        case .constant(let v): v
        case .uniform(let lo, _): lo
        case .normal(_, _, let floor): floor
        case .pareto(_, let scale): scale
        case .exponential, .lognormal, .weibull, .gamma: 0
        }
    }

    /// The name scenario files use for this kind.
    public var kindName: String {
        switch self {
        case .constant: "constant"
        case .uniform: "uniform"
        case .exponential: "exponential"
        case .normal: "normal"
        case .lognormal: "lognormal"
        case .pareto: "pareto"
        case .weibull: "weibull"
        case .gamma: "gamma"
        }
    }

    /// The kind and its parameters, e.g. `exponential(mean: 2.0)`, for logs and error messages.
    public var description: String {
        switch self {
        case .constant(let v): "constant(\(v))"
        case .uniform(let lo, let hi): "uniform(\(lo), \(hi))"
        case .exponential(let m): "exponential(mean: \(m))"
        case .normal(let m, let sd, let f): "normal(mean: \(m), sd: \(sd), floor: \(f))"
        case .lognormal(let mu, let s): "lognormal(mu: \(mu), sigma: \(s))"
        case .pareto(let a, let b): "pareto(shape: \(a), scale: \(b))"
        case .weibull(let l, let k): "weibull(scale: \(l), shape: \(k))"
        case .gamma(let k, let t): "gamma(shape: \(k), scale: \(t))"
        }
    }
}

/// A distribution or sampler was given parameters it cannot use.
public enum DistributionError: Error, Equatable, CustomStringConvertible {
    /// `(distribution, what is wrong)`.
    case invalid(String, String)

    /// `invalid <kind> distribution: <reason>`.
    public var description: String {
        switch self {
        case .invalid(let kind, let why): "invalid \(kind) distribution: \(why)"
        }
    }
}
