/// Derivation of independent random-stream seeds from `(run seed, component, index)`.
///
/// DESIGN §4: every random draw comes from a named stream, so adding a draw in one component
/// never shifts another, and two runs that differ in one parameter differ only where that
/// parameter acts. The derivation is a pure function of its inputs, identical on every
/// machine: the component name is folded in with FNV-1a over its UTF-8 bytes, and the result
/// is scrambled with SplitMix64 steps so that nearby inputs give unrelated seeds.
public enum SeedDerivation {
    /// The 64-bit seed of stream `(component, index)` of the run seeded with `runSeed`.
    public static func streamSeed(runSeed: UInt64, component: String, index: UInt64) -> UInt64 {
        var name: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a offset basis
        for b in component.utf8 { name = (name ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        var s = splitMix64(runSeed ^ 0x5741_4c52_5553_494d)  // "WALRUSIM"
        s = splitMix64(s ^ name)
        s = splitMix64(s ^ index)
        return s
    }

    /// One SplitMix64 output for state `x` (Steele, Lea, Flood 2014).
    @inlinable public static func splitMix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
