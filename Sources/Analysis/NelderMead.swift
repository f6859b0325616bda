import CGSL

/// Minimization of a function of a few continuous parameters with GSL's Nelder-Mead simplex
/// (`gsl_multimin_fminimizer_nmsimplex2`), inside box bounds.
///
/// The simplex works in the unit cube (each parameter scaled to `0...1` of its range), starts
/// at `start` with steps of a quarter range, and a point outside the cube is evaluated at the
/// nearest point inside plus a penalty growing with the distance, so the search stays in
/// bounds without flat regions. Deterministic: the same function gives the same sequence of
/// evaluations.
public enum NelderMead {
    /// The outcome of a minimization.
    public struct Result: Sendable {
        /// The best point found, in the parameters' own units.
        public var x: [Double]
        /// The function's value there.
        public var value: Double
        /// Iterations of the simplex.
        public var iterations: Int
        /// Whether the simplex shrank below the tolerance (rather than running out of iterations).
        public var converged: Bool
    }

    private final class Box {
        let low: [Double], high: [Double]
        let f: ([Double]) -> Double
        init(low: [Double], high: [Double], f: @escaping ([Double]) -> Double) { self.low = low; self.high = high; self.f = f }
    }

    /// Minimizes `f` over `low[i] ... high[i]` from `start` (the centre when `nil`), for at most
    /// `maxIterations` iterations or until the simplex size (in unit-cube terms) is below
    /// `tolerance`. Requires `low.count == high.count >= 1` and `low[i] < high[i]`.
    public static func minimize(low: [Double], high: [Double], start: [Double]? = nil, maxIterations: Int, tolerance: Double,
                                _ f: @escaping ([Double]) -> Double) -> Result {
        precondition(!low.isEmpty && low.count == high.count && zip(low, high).allSatisfy { $0 < $1 }, "bad bounds")
        let d = low.count
        let box = Box(low: low, high: high, f: f)
        var function = gsl_multimin_function()  // copied to the heap below
        function.n = d
        function.params = Unmanaged.passUnretained(box).toOpaque()
        function.f = { v, params in
            let box = Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue()
            var penalty = 0.0
            let x = (0..<box.low.count).map { i -> Double in
                let u = gsl_vector_get(v, i)
                let clamped = min(1, max(0, u))
                penalty += abs(u - clamped)
                return box.low[i] + clamped * (box.high[i] - box.low[i])
            }
            let value = box.f(x)
            // Outside the box: worse than the boundary, the more the further out.
            return penalty > 0 ? value + penalty * (1 + abs(value)) : value
        }
        let x0 = gsl_vector_alloc(d)!, step = gsl_vector_alloc(d)!
        defer { gsl_vector_free(x0); gsl_vector_free(step) }
        for i in 0..<d {
            let s = start.map { ($0[i] - low[i]) / (high[i] - low[i]) } ?? 0.5
            gsl_vector_set(x0, i, min(1, max(0, s)))
            gsl_vector_set(step, i, 0.25)
        }
        let minimizer = gsl_multimin_fminimizer_alloc(cgsl_nmsimplex2(), d)!
        defer { gsl_multimin_fminimizer_free(minimizer) }
        // GSL keeps the function's address for every iterate: it must outlive the loop.
        let functionPointer = UnsafeMutablePointer<gsl_multimin_function>.allocate(capacity: 1)
        functionPointer.initialize(to: function)
        defer { functionPointer.deallocate() }
        gsl_multimin_fminimizer_set(minimizer, functionPointer, x0, step)
        var iterations = 0, converged = false
        while iterations < maxIterations {
            iterations += 1
            if gsl_multimin_fminimizer_iterate(minimizer) != GSL_SUCCESS { break }
            let size = gsl_multimin_fminimizer_size(minimizer)
            if gsl_multimin_test_size(size, tolerance) == GSL_SUCCESS { converged = true; break }
        }
        let best = minimizer.pointee.x!
        let x = (0..<d).map { low[$0] + min(1, max(0, gsl_vector_get(best, $0))) * (high[$0] - low[$0]) }
        return Result(x: x, value: minimizer.pointee.fval, iterations: iterations, converged: converged)
    }
}
