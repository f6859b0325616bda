/// A 32-byte digest (BLAKE2b-256 output, Merkle node, blob ID bytes), held as four
/// little-endian 64-bit words so that it lives inline, compares fast and never allocates.
///
/// Byte `i` of the digest is byte `i % 8` (little-endian) of word `i / 8`.
public struct Digest32: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Bytes 0..<8, little-endian.
    public var w0: UInt64
    /// Bytes 8..<16, little-endian.
    public var w1: UInt64
    /// Bytes 16..<24, little-endian.
    public var w2: UInt64
    /// Bytes 24..<32, little-endian.
    public var w3: UInt64

    /// The all-zero digest (also the Merkle `Empty` node's bytes).
    public static let zero = Digest32(w0: 0, w1: 0, w2: 0, w3: 0)

    /// A digest from its four words (see the layout above).
    @inlinable
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Builds a digest from exactly 32 bytes; returns nil for any other length.
    @inlinable
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var i = 0
        for b in bytes {
            let shift = UInt64((i & 7) * 8)
            switch i >> 3 {
            case 0: words.0 |= UInt64(b) << shift
            case 1: words.1 |= UInt64(b) << shift
            case 2: words.2 |= UInt64(b) << shift
            default: words.3 |= UInt64(b) << shift
            }
            i += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Reads 32 bytes at `offset` of a raw buffer (caller guarantees bounds).
    @inlinable
    public init(loadingFrom raw: UnsafeRawPointer) {
        self.init(
            w0: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            w1: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            w2: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            w3: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// The 32 bytes in order.
    @inlinable
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { store(to: $0.baseAddress!) }
        return out
    }

    /// Writes the 32 bytes to `raw` (caller guarantees room).
    @inlinable
    public func store(to raw: UnsafeMutableRawPointer) {
        raw.storeBytes(of: w0.littleEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: w1.littleEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: w2.littleEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: w3.littleEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Byte `i` (0..<32).
    @inlinable
    public subscript(byte i: Int) -> UInt8 {
        precondition(i >= 0 && i < 32, "Digest32 byte index out of range")
        let word: UInt64
        switch i >> 3 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return UInt8(truncatingIfNeeded: word >> UInt64((i & 7) * 8))
    }

    /// Lower-case hex of the 32 bytes.
    public var hex: String { Hex.encode(bytes) }

    /// The 64-character lower-case ``hex`` form.
    public var description: String { hex }

    /// Lexicographic order of the bytes.
    public static func < (a: Digest32, b: Digest32) -> Bool {
        for (x, y) in [(a.w0, b.w0), (a.w1, b.w1), (a.w2, b.w2), (a.w3, b.w3)] where x != y {
            return x.byteSwapped < y.byteSwapped
        }
        return false
    }
}

/// Hex helpers (lower case).
public enum Hex {
    /// Two lower-case hex digits per byte, most significant nibble first.
    public static func encode<C: Sequence>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil on odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
