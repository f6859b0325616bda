/// Simulated time, in integer nanoseconds since the start of a run.
///
/// Integer time keeps event order exact and replayable: two events scheduled for the same
/// instant compare equal on time and are ordered by their sequence numbers instead, never by
/// floating-point rounding. `UInt64` nanoseconds cover about 584 years.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the run.
    public var nanoseconds: UInt64

    /// The instant `nanoseconds` ns after the start of the run.
    @inlinable public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The start of the run: 0 ns. (Computed and inlinable, so a constant at every use: a
    /// stored `static let` is reached through an addressor call from other modules.)
    @inlinable public static var zero: SimTime { SimTime(nanoseconds: 0) }
    /// The largest representable instant; used as "never" for open-ended runs.
    @inlinable public static var distantFuture: SimTime { SimTime(nanoseconds: .max) }

    /// Orders by nanoseconds; ties between events at the same instant are broken elsewhere, by sequence number.
    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }

    /// `self + d`, saturating at `distantFuture` instead of trapping.
    @inlinable public static func + (t: SimTime, d: SimDuration) -> SimTime {
        let (sum, overflow) = t.nanoseconds.addingReportingOverflow(d.nanoseconds)
        return SimTime(nanoseconds: overflow ? .max : sum)
    }

    /// The duration from `b` to `a`; zero when `b` is later (durations are never negative).
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimDuration {
        SimDuration(nanoseconds: a.nanoseconds >= b.nanoseconds ? a.nanoseconds - b.nanoseconds : 0)
    }

    /// Seconds as a double, for reports only; never feed this back into simulated state.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The time since the start of the run in `SimDuration`'s short form, e.g. `1.5s`.
    public var description: String { SimDuration(nanoseconds: nanoseconds).description }
}

/// A non-negative span of simulated time, in integer nanoseconds.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: UInt64

    /// A span of `nanoseconds` ns.
    @inlinable public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// No time: 0 ns (a constant at every use, as `SimTime.zero`).
    @inlinable public static var zero: SimDuration { SimDuration(nanoseconds: 0) }

    /// `n` nanoseconds.
    @inlinable public static func nanoseconds(_ n: UInt64) -> SimDuration { SimDuration(nanoseconds: n) }
    /// `n` microseconds. Unlike `+` and `*`, the unit conversions wrap on overflow (`&*`) instead of saturating;
    /// only spans beyond ~584 years overflow.
    @inlinable public static func microseconds(_ n: UInt64) -> SimDuration { SimDuration(nanoseconds: n &* 1_000) }
    /// `n` milliseconds; wraps on overflow, like `microseconds(_:)`.
    @inlinable public static func milliseconds(_ n: UInt64) -> SimDuration { SimDuration(nanoseconds: n &* 1_000_000) }
    /// `n` seconds; wraps on overflow, like `microseconds(_:)`.
    @inlinable public static func seconds(_ n: UInt64) -> SimDuration { SimDuration(nanoseconds: n &* 1_000_000_000) }
    /// `n` minutes; wraps on overflow, like `microseconds(_:)`.
    @inlinable public static func minutes(_ n: UInt64) -> SimDuration { .seconds(n &* 60) }
    /// `n` hours; wraps on overflow, like `microseconds(_:)`.
    @inlinable public static func hours(_ n: UInt64) -> SimDuration { .seconds(n &* 3_600) }
    /// `n` days; wraps on overflow, like `microseconds(_:)` (past ~213,000 days).
    @inlinable public static func days(_ n: UInt64) -> SimDuration { .seconds(n &* 86_400) }

    /// Converts a duration in seconds, rounding down to whole nanoseconds. Negative, NaN and
    /// infinite inputs are programming errors upstream and become zero or the maximum.
    @inlinable public init(seconds s: Double) {
        guard s.isFinite, s > 0 else {
            self.init(nanoseconds: s == .infinity ? .max : 0)
            return
        }
        let ns = s * 1e9
        self.init(nanoseconds: ns >= 1.8446744073709552e19 ? .max : UInt64(ns))
    }

    /// Orders by length.
    @inlinable public static func < (a: SimDuration, b: SimDuration) -> Bool { a.nanoseconds < b.nanoseconds }
    /// `a + b`, saturating at `UInt64.max` ns instead of trapping.
    @inlinable public static func + (a: SimDuration, b: SimDuration) -> SimDuration {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(b.nanoseconds)
        return SimDuration(nanoseconds: overflow ? .max : sum)
    }
    /// `a * k`, saturating at `UInt64.max` ns instead of trapping.
    @inlinable public static func * (a: SimDuration, k: UInt64) -> SimDuration {
        let (p, overflow) = a.nanoseconds.multipliedReportingOverflow(by: k)
        return SimDuration(nanoseconds: overflow ? .max : p)
    }

    /// The length in seconds as a double, for reports only; never feed this back into simulated state.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// A short human form such as `1.5s`, `12ms` or `3d2h`, for logs and summaries.
    public var description: String {
        let ns = nanoseconds
        if ns >= 86_400_000_000_000 {
            let d = ns / 86_400_000_000_000, h = (ns % 86_400_000_000_000) / 3_600_000_000_000
            return h == 0 ? "\(d)d" : "\(d)d\(h)h"
        }
        if ns >= 1_000_000_000 { return trimmed(Double(ns) / 1e9) + "s" }
        if ns >= 1_000_000 { return trimmed(Double(ns) / 1e6) + "ms" }
        if ns >= 1_000 { return trimmed(Double(ns) / 1e3) + "us" }
        return "\(ns)ns"
    }

    private func trimmed(_ x: Double) -> String {
        let scaled = (x * 1000).rounded() / 1000
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }
}
