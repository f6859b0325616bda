import Analysis
import Testing

@Suite struct NelderMeadTests {
    @Test func findsTheMinimumOfAQuadraticInsideTheBox() {
        var calls = 0
        let r = NelderMead.minimize(low: [-10, -10], high: [10, 10], maxIterations: 500, tolerance: 1e-6) { x in
            calls += 1
            return (x[0] - 3) * (x[0] - 3) + 2 * (x[1] + 1) * (x[1] + 1) + 5
        }
        #expect(r.converged)
        #expect(abs(r.x[0] - 3) < 1e-3 && abs(r.x[1] + 1) < 1e-3, "\(r.x)")
        #expect(abs(r.value - 5) < 1e-5)
        #expect(calls > 10)
    }

    @Test func aMinimumOutsideTheBoxEndsOnItsBoundary() {
        let r = NelderMead.minimize(low: [0], high: [1], maxIterations: 500, tolerance: 1e-6) { x in (x[0] - 5) * (x[0] - 5) }
        #expect(abs(r.x[0] - 1) < 1e-3, "\(r.x)")
    }

    @Test func theSameFunctionGivesTheSameSearch() {
        func trace() -> [[Double]] {
            var xs: [[Double]] = []
            _ = NelderMead.minimize(low: [0, 0], high: [4, 4], maxIterations: 50, tolerance: 1e-4) { x in
                xs.append(x)
                return abs(x[0] - 1.5) + abs(x[1] - 2.5)
            }
            return xs
        }
        #expect(trace() == trace())
    }
}
