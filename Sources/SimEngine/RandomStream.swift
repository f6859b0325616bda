#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CGSL
import CSimRandom
import SimSupport

/// The random streams of one run, each derived from `(run seed, component, index)`.
///
/// DESIGN §4: a component draws only from its own stream, so adding a draw in one component
/// never shifts another's sequence, and paired runs (same seed, one parameter changed) differ
/// only where that parameter acts. Streams are independent xoshiro256++ generators seeded by
/// `SeedDerivation.streamSeed`; distributions come from GSL.
public struct RandomStreams: Sendable {
    /// The seed of the whole run; every stream's seed derives from it.
    public let runSeed: UInt64

    /// The streams of run `runSeed`. Also turns off GSL's abort-on-error handler for the process.
    public init(runSeed: UInt64) {
        self.runSeed = runSeed
        csr_disable_gsl_abort()
    }

    /// A fresh stream for `component` (e.g. `"network"`, `"workload"`, `"node.logic"`) and
    /// `index` (e.g. the node's index). The same arguments always give the same sequence.
    public func stream(_ component: String, index: UInt64 = 0) -> RandomStream {
        RandomStream(seed: SeedDerivation.streamSeed(runSeed: runSeed, component: component, index: index))
    }
}

/// One seeded stream of random numbers and the distributions drawn from it.
///
/// A reference type because it owns a GSL generator; it is not `Sendable` — a stream belongs to
/// one component of one single-threaded run. Parameters of the distributions must be valid
/// (see `Distribution.validate()`, which scenario loading runs); invalid ones are programming
/// errors and trap with a message rather than returning garbage.
public final class RandomStream {
    /// The seed the generator was initialised with (for a derived stream, `SeedDerivation.streamSeed`).
    public let seed: UInt64
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    /// A xoshiro256++ generator seeded with `seed`; traps only if the allocation fails.
    public init(seed: UInt64) {
        self.seed = seed
        guard let rng = gsl_rng_alloc(csr_xoshiro256pp()) else { fatalError("out of memory allocating a generator") }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
        self.rng = rng
    }

    deinit { gsl_rng_free(rng) }

    /// 64 uniformly random bits.
    @inlinable public func nextUInt64() -> UInt64 { csr_next_u64(rng) }

    /// A uniform double in [0, 1), with 53 random bits.
    @inlinable public func uniform() -> Double { csr_next_double(rng) }

    /// A uniform integer in `0 ..< bound` without modulo bias (Lemire's multiply-and-reject).
    @inlinable public func uniformInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniformInt(below: 0)")
        var m = nextUInt64().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = nextUInt64().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform integer in `range`.
    @inlinable public func uniformInt(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound))
        if span == .max { return Int(bitPattern: UInt(nextUInt64())) }
        return range.lowerBound &+ Int(bitPattern: UInt(uniformInt(below: span &+ 1)))
    }

    /// True with probability exactly `numerator / denominator`, decided in integers so that the
    /// outcome never depends on floating-point rounding.
    @inlinable public func bernoulli(_ numerator: UInt64, over denominator: UInt64) -> Bool {
        precondition(denominator > 0 && numerator <= denominator, "bernoulli(\(numerator)/\(denominator))")
        return uniformInt(below: denominator) < numerator
    }

    /// Exponential with the given mean (> 0).
    @inlinable public func exponential(mean: Double) -> Double {
        // Inverse transform on (0, 1]: -mean * log(u). Same as gsl_ran_exponential, inlined
        // because it is the hottest draw in arrival processes and PHOLD.
        -mean * log1p(-uniform())
    }

    /// Normal (Gaussian) with mean and standard deviation (>= 0).
    public func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + gsl_ran_gaussian_ziggurat(rng, standardDeviation)
    }

    /// Lognormal: `exp(N(mu, sigma))`.
    public func lognormal(mu: Double, sigma: Double) -> Double { gsl_ran_lognormal(rng, mu, sigma) }

    /// Pareto with shape `alpha` and scale (minimum) `scale`.
    public func pareto(shape alpha: Double, scale: Double) -> Double { gsl_ran_pareto(rng, alpha, scale) }

    /// Weibull with scale `lambda` and shape `k`.
    public func weibull(scale lambda: Double, shape k: Double) -> Double { gsl_ran_weibull(rng, lambda, k) }

    /// Gamma with shape `k` and scale `theta` (mean `k * theta`).
    public func gamma(shape k: Double, scale theta: Double) -> Double { gsl_ran_gamma(rng, k, theta) }

    /// Poisson with mean `mu`.
    public func poisson(mean mu: Double) -> UInt32 { UInt32(gsl_ran_poisson(rng, mu)) }

    /// Binomial: successes in `trials` trials of probability `p`.
    public func binomial(probability p: Double, trials: UInt32) -> UInt32 {
        UInt32(gsl_ran_binomial(rng, p, UInt32(trials)))
    }

    /// Multinomial: `trials` draws spread over categories with the given (unnormalised,
    /// non-negative) weights. The counts sum to `trials`.
    public func multinomial(trials: UInt32, weights: [Double]) -> [UInt32] {
        precondition(!weights.isEmpty, "multinomial over no categories")
        var counts = [UInt32](repeating: 0, count: weights.count)
        weights.withUnsafeBufferPointer { w in
            counts.withUnsafeMutableBufferPointer { c in
                gsl_ran_multinomial(rng, w.count, UInt32(trials), w.baseAddress!, c.baseAddress!)
            }
        }
        return counts
    }

    /// Dirichlet with concentration parameters `alpha` (all > 0): a random split of 1 into
    /// `alpha.count` shares, e.g. of stake over nodes.
    public func dirichlet(alpha: [Double]) -> [Double] {
        precondition(!alpha.isEmpty, "dirichlet over no categories")
        var theta = [Double](repeating: 0, count: alpha.count)
        alpha.withUnsafeBufferPointer { a in
            theta.withUnsafeMutableBufferPointer { t in
                gsl_ran_dirichlet(rng, a.count, a.baseAddress!, t.baseAddress!)
            }
        }
        return theta
    }

    /// A uniformly random permutation of `elements` (Fisher-Yates, drawing from this stream).
    /// Inlinable so that callers get a version specialized to their element type (a generic
    /// one swapped through value witnesses, a measurable share of a modeled read). The input is
    /// consumed, so a temporary one (a read's `Array(0 ..< n)`) is shuffled in its own storage,
    /// and the swaps go through the buffer, without the array's checks per swap.
    @inlinable public func shuffled<T>(_ elements: consuming [T]) -> [T] {
        var a = elements
        let n = a.count
        guard n >= 2 else { return a }
        a.withUnsafeMutableBufferPointer { buffer in
            for i in stride(from: n - 1, to: 0, by: -1) {
                buffer.swapAt(i, Int(uniformInt(below: UInt64(i + 1))))
            }
        }
        return a
    }

    /// `count` distinct indices from `0 ..< population`, in increasing order.
    public func sample(_ count: Int, from population: Int) -> [Int] {
        precondition(count >= 0 && count <= population, "sample \(count) of \(population)")
        // Selection sampling (Knuth's Algorithm S): one pass, sorted output, no allocation
        // beyond the result.
        var result: [Int] = []
        result.reserveCapacity(count)
        var needed = count
        var i = 0
        while needed > 0 {
            if uniformInt(below: UInt64(population - i)) < UInt64(needed) {
                result.append(i)
                needed -= 1
            }
            i += 1
        }
        return result
    }
}

/// Weighted discrete choice in O(1) per draw (Walker's alias method, GSL's
/// `gsl_ran_discrete`). Build once per weight vector, sample many times.
public final class AliasTable {
    private let table: OpaquePointer
    /// The number of weights, so ``sample(_:)`` returns an index in `0 ..< count`.
    public let count: Int

    /// Weights must be finite, non-negative and not all zero.
    public init(weights: [Double]) throws(DistributionError) {
        guard !weights.isEmpty else { throw .invalid("alias table", "no weights") }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw .invalid("alias table", "weights must be finite and non-negative")
        }
        guard weights.contains(where: { $0 > 0 }) else { throw .invalid("alias table", "all weights are zero") }
        csr_disable_gsl_abort()
        guard let t = weights.withUnsafeBufferPointer({ gsl_ran_discrete_preproc($0.count, $0.baseAddress!) }) else {
            throw .invalid("alias table", "GSL could not build the table")
        }
        table = OpaquePointer(t)
        count = weights.count
    }

    deinit { gsl_ran_discrete_free(UnsafeMutablePointer(table)) }

    /// An index in `0 ..< count`, with probability proportional to its weight.
    public func sample(_ stream: RandomStream) -> Int {
        Int(gsl_ran_discrete(stream.rng, UnsafePointer(UnsafeMutablePointer<gsl_ran_discrete_t>(table))))
    }
}
