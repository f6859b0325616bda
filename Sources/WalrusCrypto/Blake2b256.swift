import CSodium

/// BLAKE2b with a 32-byte digest (`digest_length = 32`, no key, salt or personalisation), the
/// hash Walrus calls `Blake2b256` (fastcrypto). It is *not* BLAKE2b-512 truncated.
///
/// Two implementations produce identical output: a Swift one built on an unrolled compression
/// function (`hash(...)`, the fast path, no allocation, ~3x faster than a one-shot libsodium call
/// on the tiny inputs that dominate Walrus metadata), and libsodium's `crypto_generichash`
/// (`sodiumHash`), kept as the reference the fast path is tested against.
public enum Blake2b256 {
    /// Hash of `data`.
    @inlinable
    public static func hash(_ data: UnsafeRawBufferPointer) -> Digest32 {
        hashImpl(prefix: nil, data)
    }

    /// Hash of the one-byte `prefix` followed by `data` (Merkle leaf: prefix 0x00).
    @inlinable
    public static func hash(prefix: UInt8, _ data: UnsafeRawBufferPointer) -> Digest32 {
        hashImpl(prefix: prefix, data)
    }

    /// Hash of `bytes`.
    @inlinable
    public static func hash(_ bytes: [UInt8]) -> Digest32 {
        bytes.withUnsafeBytes { hashImpl(prefix: nil, $0) }
    }

    /// Hash of `prefix || bytes`.
    @inlinable
    public static func hash(prefix: UInt8, _ bytes: [UInt8]) -> Digest32 {
        bytes.withUnsafeBytes { hashImpl(prefix: prefix, $0) }
    }

    /// Hash of the 65 bytes `prefix || left || right` in a single compression (Merkle inner node:
    /// prefix 0x01). No bytes are copied: the message words are assembled from the digests' words.
    @inlinable
    public static func hash(prefix: UInt8, _ left: Digest32, _ right: Digest32) -> Digest32 {
        var chain = Blake2bChain.initial256
        let p = UInt64(prefix)
        chain.compress(
            p | left.w0 &<< 8,
            left.w0 &>> 56 | left.w1 &<< 8,
            left.w1 &>> 56 | left.w2 &<< 8,
            left.w2 &>> 56 | left.w3 &<< 8,
            left.w3 &>> 56 | right.w0 &<< 8,
            right.w0 &>> 56 | right.w1 &<< 8,
            right.w1 &>> 56 | right.w2 &<< 8,
            right.w2 &>> 56 | right.w3 &<< 8,
            right.w3 &>> 56, 0, 0, 0, 0, 0, 0, 0,
            counter: 65, isLast: true)
        return Digest32(w0: chain.h0, w1: chain.h1, w2: chain.h2, w3: chain.h3)
    }

    @inlinable @inline(__always)
    static func load(_ raw: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Core of the Swift path. The message is `prefix? || data`; full non-final blocks are read
    /// straight from `data`, the final (possibly partial or empty) block via a zeroed local copy.
    @inlinable
    static func hashImpl(prefix: UInt8?, _ data: UnsafeRawBufferPointer) -> Digest32 {
        var chain = Blake2bChain.initial256
        let prefixCount = prefix == nil ? 0 : 1
        let dataCount = data.count
        let total = dataCount + prefixCount
        // Number of bytes in the final block: 1...128, or 0 for the empty message.
        let lastCount = total == 0 ? 0 : (total - 1) % 128 + 1
        var consumed = 0  // message bytes consumed
        if let base = data.baseAddress {
            while total - consumed > 128 {
                // Block message offset `consumed`; data offset = consumed - prefixCount.
                let d = consumed - prefixCount
                let m0: UInt64
                if d < 0 {  // first block with a prefix byte
                    m0 = UInt64(prefix!) | load(base, 0) &<< 8
                } else {
                    m0 = load(base, d)
                }
                let b = base + d
                chain.compress(
                    m0, load(b, 8), load(b, 16), load(b, 24), load(b, 32), load(b, 40),
                    load(b, 48), load(b, 56), load(b, 64), load(b, 72), load(b, 80), load(b, 88),
                    load(b, 96), load(b, 104), load(b, 112), load(b, 120),
                    counter: UInt64(consumed + 128), isLast: false)
                consumed += 128
            }
        }
        // Final block.
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &block) { raw in
            var out = 0
            if consumed == 0, let p = prefix {
                raw[0] = p
                out = 1
            }
            let start = consumed - prefixCount + out
            let n = lastCount - out
            if n > 0, let base = data.baseAddress {
                raw.baseAddress!.advanced(by: out).copyMemory(from: base + start, byteCount: n)
            }
        }
        chain.compress(
            UInt64(littleEndian: block.0), UInt64(littleEndian: block.1),
            UInt64(littleEndian: block.2), UInt64(littleEndian: block.3),
            UInt64(littleEndian: block.4), UInt64(littleEndian: block.5),
            UInt64(littleEndian: block.6), UInt64(littleEndian: block.7),
            UInt64(littleEndian: block.8), UInt64(littleEndian: block.9),
            UInt64(littleEndian: block.10), UInt64(littleEndian: block.11),
            UInt64(littleEndian: block.12), UInt64(littleEndian: block.13),
            UInt64(littleEndian: block.14), UInt64(littleEndian: block.15),
            counter: UInt64(total), isLast: true)
        return Digest32(w0: chain.h0, w1: chain.h1, w2: chain.h2, w3: chain.h3)
    }

    /// Reference implementation: libsodium's one-shot `crypto_generichash` with a 32-byte output.
    public static func sodiumHash(_ bytes: [UInt8]) -> Digest32 {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: 32)
        // libsodium's input pointer must be valid even for an empty message.
        var dummy: UInt8 = 0
        out.withUnsafeMutableBufferPointer { o in
            if bytes.isEmpty {
                _ = crypto_generichash(o.baseAddress!, 32, &dummy, 0, nil, 0)
            } else {
                bytes.withUnsafeBufferPointer { i in
                    _ = crypto_generichash(o.baseAddress!, 32, i.baseAddress!, UInt64(i.count), nil, 0)
                }
            }
        }
        return Digest32(bytes: out)!
    }
}

extension Blake2b256 {
    /// libsodium on a raw buffer, without allocating (for benchmarks against the Swift path).
    public static func sodiumHash(_ data: UnsafeRawBufferPointer) -> Digest32 {
        Sodium.ensureInitialized()
        var out: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var dummy: UInt8 = 0
        withUnsafeMutableBytes(of: &out) { o in
            let op = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if let base = data.baseAddress, data.count > 0 {
                _ = crypto_generichash(op, 32, base.assumingMemoryBound(to: UInt8.self), UInt64(data.count), nil, 0)
            } else {
                _ = crypto_generichash(op, 32, &dummy, 0, nil, 0)
            }
        }
        return Digest32(w0: UInt64(littleEndian: out.0), w1: UInt64(littleEndian: out.1),
                        w2: UInt64(littleEndian: out.2), w3: UInt64(littleEndian: out.3))
    }
}

/// One-time libsodium initialisation (idempotent and thread-safe in libsodium itself).
enum Sodium {
    static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }
}
