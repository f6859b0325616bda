// ZCash compressed encodings: G1 in 48 bytes, G2 in 96 bytes (x.c1 then x.c0), big-endian,
// with three flag bits in the top of the first byte: compression (0x80), infinity (0x40) and
// sort (0x20: y is the lexicographically larger root).

/// The flags in the first byte of a compressed point.
private struct Flags {
    var compressed: Bool
    var infinity: Bool
    var sort: Bool
    init(_ byte: UInt8) {
        compressed = byte & 0x80 != 0
        infinity = byte & 0x40 != 0
        sort = byte & 0x20 != 0
    }
}

/// Checks the flags and the infinity encoding rules shared by G1 and G2. Returns true for a
/// valid identity encoding, false for a finite point to be decoded, and throws otherwise.
private func checkFlags(_ bytes: [UInt8]) throws(BLSError) -> (isIdentity: Bool, sort: Bool) {
    let flags = Flags(bytes[0])
    guard flags.compressed else { throw .notCompressed }
    if flags.infinity {
        guard !flags.sort, bytes[0] & 0x1f == 0, bytes.dropFirst().allSatisfy({ $0 == 0 }) else {
            throw .invalidInfinityEncoding
        }
        return (true, false)
    }
    return (false, flags.sort)
}

extension G1Point {
    /// The number of bytes of a compressed G1 point.
    public static let compressedSize = 48

    /// Decodes a compressed G1 point with every check: length, flags, infinity rules, x < p,
    /// on the curve, in the subgroup. The identity is accepted (callers that forbid it, such as
    /// public keys, check separately).
    public init(compressed input: some Collection<UInt8>) throws(BLSError) {
        let bytes = Array(input)
        guard bytes.count == G1Point.compressedSize else {
            throw .invalidLength(expected: G1Point.compressedSize, actual: bytes.count)
        }
        let (isIdentity, sort) = try checkFlags(bytes)
        if isIdentity { self = .identity; return }
        var xBytes = bytes
        xBytes[0] &= 0x1f
        guard let x = Fp(bigEndian: xBytes) else { throw .coordinateNotInField }
        guard var y = (x.squared * x + Fp.curveB).sqrt else { throw .notOnCurve }
        if y.isLexicographicallyLargest != sort { y = -y }
        let p = Jacobian(affineX: x, affineY: y)
        guard Endomorphism.isInG1(p) else { throw .notInSubgroup }
        self.init(p)
    }

    /// The 48-byte compressed encoding.
    public var compressed: [UInt8] {
        guard let a = point.affine else { return [0xc0] + [UInt8](repeating: 0, count: 47) }
        var out = a.x.bigEndianBytes
        out[0] |= 0x80
        if a.y.isLexicographicallyLargest { out[0] |= 0x20 }
        return out
    }
}

extension G2Point {
    /// The number of bytes of a compressed G2 point.
    public static let compressedSize = 96

    /// Decodes a compressed G2 point with every check: length, flags, infinity rules, both
    /// coordinates of x below p, on the curve, in the subgroup. The identity is accepted.
    public init(compressed input: some Collection<UInt8>) throws(BLSError) {
        let bytes = Array(input)
        guard bytes.count == G2Point.compressedSize else {
            throw .invalidLength(expected: G2Point.compressedSize, actual: bytes.count)
        }
        let (isIdentity, sort) = try checkFlags(bytes)
        if isIdentity { self = .identity; return }
        var c1Bytes = Array(bytes[0..<48])
        c1Bytes[0] &= 0x1f
        guard let c1 = Fp(bigEndian: c1Bytes), let c0 = Fp(bigEndian: bytes[48..<96]) else {
            throw .coordinateNotInField
        }
        let x = Fp2(c0, c1)
        guard var y = (x.squared * x + Fp2.curveB).sqrt else { throw .notOnCurve }
        if y.isLexicographicallyLargest != sort { y = -y }
        let p = Jacobian(affineX: x, affineY: y)
        guard Endomorphism.isInG2(p) else { throw .notInSubgroup }
        self.init(p)
    }

    /// The 96-byte compressed encoding.
    public var compressed: [UInt8] {
        guard let a = point.affine else { return [0xc0] + [UInt8](repeating: 0, count: 95) }
        var out = a.x.c1.bigEndianBytes + a.x.c0.bigEndianBytes
        out[0] |= 0x80
        if a.y.isLexicographicallyLargest { out[0] |= 0x20 }
        return out
    }
}
