/// An amount of WAL in FROST, the indivisible unit (1 WAL = 10^9 FROST).
///
/// Money is an unsigned integer: the whole WAL supply (5 * 10^18 FROST) fits in `UInt64` with
/// room to spare, and replayed state must never depend on floating-point rounding (DESIGN §4).
/// The arithmetic here never traps: sums and differences that leave the range are reported as
/// `nil` so that callers can turn them into typed errors and leave their state unchanged.
public struct Frost: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The amount in FROST (10^-9 WAL).
    public var rawValue: UInt64

    /// `rawValue` FROST (not WAL: use `wal(_:)` for whole WAL).
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// No money: 0 FROST.
    public static let zero = Frost(0)
    /// FROST per WAL.
    public static let perWAL: UInt64 = 1_000_000_000

    /// `wal` whole WAL; `nil` when that exceeds the representable range.
    @inlinable public static func wal(_ wal: UInt64) -> Frost? {
        let (v, o) = wal.multipliedReportingOverflow(by: perWAL)
        return o ? nil : Frost(v)
    }

    /// Orders by amount in FROST.
    @inlinable public static func < (a: Frost, b: Frost) -> Bool { a.rawValue < b.rawValue }

    /// `self + other`, or `nil` on overflow.
    @inlinable public func adding(_ other: Frost) -> Frost? {
        let (v, o) = rawValue.addingReportingOverflow(other.rawValue)
        return o ? nil : Frost(v)
    }

    /// `self - other`, or `nil` when `other` is larger.
    @inlinable public func subtracting(_ other: Frost) -> Frost? {
        other.rawValue > rawValue ? nil : Frost(rawValue - other.rawValue)
    }

    /// `self * k`, or `nil` on overflow.
    @inlinable public func multiplied(by k: UInt64) -> Frost? {
        let (v, o) = rawValue.multipliedReportingOverflow(by: k)
        return o ? nil : Frost(v)
    }

    /// `floor(self * numerator / denominator)` with a 128-bit intermediate, as the Move
    /// contracts compute proportional shares. `nil` if `denominator` is zero or the result
    /// does not fit.
    @inlinable public func scaled(by numerator: UInt64, over denominator: UInt64) -> Frost? {
        guard let v = mulDiv(rawValue, numerator, denominator) else { return nil }
        return Frost(v)
    }

    /// The amount in WAL as a double, for reports only.
    public var wal: Double { Double(rawValue) / Double(Frost.perWAL) }

    /// `12.5 WAL` style, exact to the FROST.
    public var description: String {
        let whole = rawValue / Frost.perWAL, frac = rawValue % Frost.perWAL
        if frac == 0 { return "\(whole) WAL" }
        var digits = String(frac)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits) WAL"
    }
}

/// `floor(a * b / c)` computed through 128 bits; `nil` when `c == 0` or the quotient
/// exceeds 64 bits.
@inlinable public func mulDiv(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64? {
    guard c != 0 else { return nil }
    let q = (UInt128(a) * UInt128(b)) / UInt128(c)
    return q > UInt128(UInt64.max) ? nil : UInt64(q)
}

/// A fraction in basis points (1/10,000), as the contracts store commission rates and
/// subsidy rates. Values above 10,000 are legal where a contract allows them (e.g. subsidy
/// rates up to 1,000,000 bp); validation is the caller's.
public struct BasisPoints: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The fraction's numerator over 10,000; not capped at 10,000.
    public var rawValue: UInt64
    /// `rawValue` basis points, unchecked (see the type's note on ranges).
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// 10,000: basis points per whole.
    public static let denominator: UInt64 = 10_000
    /// 0 bp: `of(_:)` gives zero FROST.
    public static let zero = BasisPoints(0)
    /// 10,000 bp, i.e. 100%: `of(x)` is `x`.
    public static let whole = BasisPoints(10_000)
    /// Orders by `rawValue`.
    @inlinable public static func < (a: BasisPoints, b: BasisPoints) -> Bool { a.rawValue < b.rawValue }
    /// `floor(amount * self / 10_000)`; `nil` on overflow.
    @inlinable public func of(_ amount: Frost) -> Frost? { amount.scaled(by: rawValue, over: Self.denominator) }
    /// `<rawValue>bp`, e.g. `250bp`.
    public var description: String { "\(rawValue)bp" }
}
