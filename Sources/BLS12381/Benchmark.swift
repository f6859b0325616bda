// Hooks for `walrus-sim bench bls --micro`: loops over the base-field and curve primitives, so
// their cost can be timed from outside the module.

/// Micro-benchmark loops (SPI, not part of the stable API).
@_spi(Benchmark) public enum BLSMicro {
    /// Runs `count` dependent Fp multiplications; returns a checksum so the loop is kept.
    public static func fpMultiplications(_ count: Int) -> UInt64 {
        var a = Fp(3), b = Fp(5)
        for _ in 0..<count { a = a * b; b = b + a }
        return a.l0 ^ b.l1
    }

    /// Runs `count` dependent Fp2 multiplications.
    public static func fp2Multiplications(_ count: Int) -> UInt64 {
        var a = Fp2(Fp(3), Fp(7)), b = Fp2(Fp(5), Fp(11))
        for _ in 0..<count { a = a * b; b = b + a }
        return a.c0.l0 ^ b.c1.l1
    }

    /// Runs `count` Fp12 cyclotomic squarings.
    public static func cyclotomicSquarings(_ count: Int) -> UInt64 {
        var f = Fp12(Fp6(Fp2(Fp(3), Fp(7)), .zero, .zero), Fp6(Fp2(Fp(5), Fp(11)), .zero, .zero))
        for _ in 0..<count { f = f.cyclotomicSquared }
        return f.c0.c0.c0.l0
    }

    /// Runs one Fp inversion `count` times.
    public static func fpInversions(_ count: Int) -> UInt64 {
        var a = Fp(3)
        for _ in 0..<count { a = a.inverse + Fp.one }
        return a.l0
    }
}
