import SimSupport

/// Durations and sizes written with units, parsed exactly.
///
/// Numbers are read as decimals into 128-bit integers (never through `Double`), so `"1.1KB"` is
/// exactly 1100 bytes and `"1.5ms"` exactly 1,500,000 ns; a value that is not a whole number of
/// the base unit (`"1.5B"`, `"0.5ns"`) or does not fit 64 bits is rejected rather than rounded.
enum Units {
    /// Nanoseconds per duration unit. `m` is minutes; `us` and `µs` are microseconds.
    static let durationUnits: [(String, UInt128)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]

    /// Bytes per size unit: decimal (KB = 1000) and binary (KiB = 1024) prefixes.
    static let sizeUnits: [(String, UInt128)] = [
        ("b", 1),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000), ("pb", 1_000_000_000_000_000),
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40), ("pib", 1 << 50),
    ]

    static let durationHint = "a duration such as \"90s\", \"1.5h\" or \"1h30m\" (units ns, us, ms, s, m, h, d) or a number of seconds"
    static let sizeHint = "a size such as \"64KiB\" or \"1.5GB\" (units B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB) or an integer number of bytes"

    /// `"2h"`, `"1h30m"`, `"250ms"`, `"1.5s"`; nil when malformed, fractional nanoseconds or
    /// too long for 64 bits.
    static func duration(_ text: String) -> SimDuration? {
        var rest = Substring(text.trimmingSpaces)
        guard !rest.isEmpty else { return nil }
        var total: UInt128 = 0
        while !rest.isEmpty {
            guard let (mantissa, scale) = decimal(&rest) else { return nil }
            rest = rest.drop { $0 == " " }
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = durationUnits.first(where: { $0.0 == unitText })?.1 else { return nil }
            rest = rest.dropFirst(unitText.count).drop { $0 == " " }
            guard let ns = exact(mantissa, unit, scale) else { return nil }
            total += ns
            guard total <= UInt128(UInt64.max) else { return nil }
        }
        return SimDuration(nanoseconds: UInt64(total))
    }

    /// `"64TiB"`, `"1.5 MB"`, `"512B"`; nil when malformed, fractional bytes or too large.
    static func size(_ text: String) -> UInt64? {
        var rest = Substring(text.trimmingSpaces)
        guard let (mantissa, scale) = decimal(&rest) else { return nil }
        let unitText = rest.drop { $0 == " " }.lowercased()
        let unit: UInt128
        if unitText.isEmpty {
            unit = 1
        } else if let u = sizeUnits.first(where: { $0.0 == unitText })?.1 {
            unit = u
        } else {
            return nil
        }
        guard let bytes = exact(mantissa, unit, scale), bytes <= UInt128(UInt64.max) else { return nil }
        return UInt64(bytes)
    }

    /// Reads `digits[.digits]` from the front of `text` as `mantissa / scale`.
    private static func decimal(_ text: inout Substring) -> (UInt128, UInt128)? {
        var mantissa: UInt128 = 0, scale: UInt128 = 1
        var digits = 0, seenPoint = false
        while let c = text.first {
            if c == ".", !seenPoint {
                seenPoint = true
            } else if let d = c.wholeNumberValue, c.isASCII {
                // 30 significant digits keep `mantissa * unit` (unit < 2^57) inside 128 bits.
                guard digits < 30 else { return nil }
                mantissa = mantissa * 10 + UInt128(d)
                digits += 1
                if seenPoint { scale *= 10 }
            } else {
                break
            }
            text = text.dropFirst()
        }
        return digits > 0 ? (mantissa, scale) : nil
    }

    /// `mantissa * unit / scale` when that is a whole number.
    private static func exact(_ mantissa: UInt128, _ unit: UInt128, _ scale: UInt128) -> UInt128? {
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: unit)
        guard !overflow, product % scale == 0 else { return nil }
        return product / scale
    }
}

extension String {
    var trimmingSpaces: Substring {
        let s = drop { $0 == " " || $0 == "\t" }
        return s.prefix(s.count - s.reversed().prefix { $0 == " " || $0 == "\t" }.count)
    }
}
