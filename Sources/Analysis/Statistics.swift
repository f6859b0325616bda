import CGSL

/// Sample statistics of one set of values: count, mean, sample standard deviation and a 95%
/// confidence interval of the mean from Student's t distribution.
///
/// Invariants: `n >= 1`; `sd`, `ci95Low` and `ci95High` are `nil` when `n < 2` (one value says
/// nothing about spread); otherwise `ci95Low <= mean <= ci95High`, and the interval is
/// `mean ± t(0.975, n - 1) · sd / √n`.
public struct Summary: Hashable, Sendable {
    /// How many values.
    public var n: Int
    /// Their arithmetic mean.
    public var mean: Double
    /// The sample standard deviation (n - 1 in the denominator); `nil` for one value.
    public var sd: Double?
    /// The lower end of the 95% interval of the mean; `nil` for one value.
    public var ci95Low: Double?
    /// The upper end of the 95% interval of the mean; `nil` for one value.
    public var ci95High: Double?

    /// Summarizes `values`; `nil` when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        n = values.count
        mean = values.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress!, 1, $0.count) }
        guard n >= 2 else { sd = nil; ci95Low = nil; ci95High = nil; return }
        let s = values.withUnsafeBufferPointer { gsl_stats_sd_m($0.baseAddress!, 1, $0.count, mean) }
        sd = s
        let half = studentT975(degreesOfFreedom: Double(n - 1)) * s / Double(n).squareRoot()
        ci95Low = mean - half
        ci95High = mean + half
    }
}

/// The 97.5% quantile of Student's t distribution with `degreesOfFreedom` (> 0, need not be an
/// integer), so that `±` it bounds a two-sided 95% interval. From GSL (`gsl_cdf_tdist_Pinv`).
public func studentT975(degreesOfFreedom: Double) -> Double {
    precondition(degreesOfFreedom > 0 && degreesOfFreedom.isFinite, "degrees of freedom must be positive, got \(degreesOfFreedom)")
    return gsl_cdf_tdist_Pinv(0.975, degreesOfFreedom)
}

/// The difference `b - a` of two independent samples' means with Welch's 95% interval (no
/// assumption of equal variances; Welch–Satterthwaite degrees of freedom).
///
/// Invariants: `ci95Low <= meanDifference <= ci95High` when both are set. When both samples have
/// zero variance the interval is the single point `meanDifference` and `degreesOfFreedom` is
/// `nil`. The interval is `nil` when either sample has fewer than two values.
public struct UnpairedDifference: Hashable, Sendable {
    /// `b.mean - a.mean`.
    public var meanDifference: Double
    /// Welch–Satterthwaite degrees of freedom; `nil` when both variances are zero or undefined.
    public var degreesOfFreedom: Double?
    /// The lower end of the 95% interval of the difference; `nil` without two values per side.
    public var ci95Low: Double?
    /// The upper end of the 95% interval of the difference; `nil` without two values per side.
    public var ci95High: Double?

    /// The difference `b.mean - a.mean`.
    public init(a: Summary, b: Summary) {
        meanDifference = b.mean - a.mean
        guard let sa = a.sd, let sb = b.sd else { degreesOfFreedom = nil; ci95Low = nil; ci95High = nil; return }
        let va = sa * sa / Double(a.n), vb = sb * sb / Double(b.n)
        let se = (va + vb).squareRoot()
        guard se > 0 else {
            degreesOfFreedom = nil; ci95Low = meanDifference; ci95High = meanDifference; return
        }
        let df = (va + vb) * (va + vb) / (va * va / Double(a.n - 1) + vb * vb / Double(b.n - 1))
        degreesOfFreedom = df
        let half = studentT975(degreesOfFreedom: df) * se
        ci95Low = meanDifference - half
        ci95High = meanDifference + half
    }
}
