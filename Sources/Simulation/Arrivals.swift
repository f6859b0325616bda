#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimEngine
import SimSupport

extension ArrivalProcess {
    /// The time from `now` to a workload's next operation, drawing from `stream`:
    /// `operationsLeftInBurst` is the bursty process's state (0 at the start of a burst).
    ///
    /// A renewal process draws one gap, exactly as walrus-sim always has. A diurnal one draws one
    /// gap and spends it in operational time. A bursty one draws the burst's size when it
    /// starts, a gap between the operations of a burst, and an idle gap after its last one.
    func gap(after now: SimTime, gaps: Distribution, stream: RandomStream, operationsLeftInBurst: inout Int) -> SimDuration {
        switch self {
        case .renewal:
            return SimDuration(seconds: max(0, gaps.sample(stream)))
        case .diurnal(let amplitude, let peak, let period):
            let g = max(0, gaps.sample(stream))
            let t0 = Double(now.nanoseconds) / 1e9
            let t = Self.diurnalTime(after: t0, operationalGap: g, amplitude: amplitude,
                                     peak: Double(peak.nanoseconds) / 1e9, period: Double(period.nanoseconds) / 1e9)
            return SimDuration(seconds: max(0, t - t0))
        case .bursty(let size, let idle):
            if operationsLeftInBurst <= 0 {
                // The operation just issued opened a burst: draw how many it has in all.
                operationsLeftInBurst = max(1, Int(min(1e9, size.sample(stream).rounded())))
            }
            operationsLeftInBurst -= 1
            if operationsLeftInBurst > 0 { return SimDuration(seconds: max(0, gaps.sample(stream))) }
            return SimDuration(seconds: max(0, idle.sample(stream)))
        }
    }

    /// Operational time elapsed from 0 to `t` under the diurnal rate
    /// `r(t) = 1 + a cos(w (t - peak))`, `w = 2 pi / period`:
    /// `L(t) = t + (a / w) (sin(w (t - peak)) + sin(w peak))`.
    static func diurnalOperationalTime(_ t: Double, amplitude a: Double, peak: Double, period: Double) -> Double {
        let w = 2 * Double.pi / period
        return t + a / w * (sin(w * (t - peak)) + sin(w * peak))
    }

    /// The time `t > t0` with `L(t) = L(t0) + g`: safeguarded Newton on a bracket. `L' = r` lies
    /// in `[1 - a, 1 + a]`, so `t` lies in `[t0 + g / (1 + a), t0 + g / (1 - a)]`.
    static func diurnalTime(after t0: Double, operationalGap g: Double, amplitude a: Double, peak: Double, period: Double) -> Double {
        guard g > 0 else { return t0 }
        let target = diurnalOperationalTime(t0, amplitude: a, peak: peak, period: period) + g
        var low = t0 + g / (1 + a), high = t0 + g / (1 - a)
        var t = t0 + g
        let w = 2 * Double.pi / period
        for _ in 0..<100 {
            let f = diurnalOperationalTime(t, amplitude: a, peak: peak, period: period) - target
            if abs(f) <= max(1e-7, 4 * target.ulp) { break }
            if f > 0 { high = t } else { low = t }
            let next = t - f / (1 + a * cos(w * (t - peak)))
            t = (next > low && next < high) ? next : (low + high) / 2
        }
        return t
    }
}
