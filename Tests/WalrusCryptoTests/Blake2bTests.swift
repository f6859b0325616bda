import TestSupport
import Testing
import WalrusCrypto

@Suite struct Blake2bTests {
    @Test func knownVectors() {
        #expect(Blake2b256.hash([UInt8]()).hex == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        #expect(Blake2b256.hash(Array("abc".utf8)).hex == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
        #expect(Blake2b256.hash((0..<256).map { UInt8($0) }).hex == "39a7eb9fedc19aabc83425c6755dd90e6f9d0c804964a1f4aaeea3b9fb599835")
        #expect(Blake2b256.hash(prefix: 0, Array("foo".utf8)).hex == "d49d71d62803f5c6b8c9ae0f1029a4e351a51eff62646fa1ea74d6b7279a3e5e")
        #expect(Blake2b256.sodiumHash(Array("abc".utf8)).hex == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
        #expect(Blake2b256.sodiumHash([]).hex == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
    }

    /// Every length 0...600 (crossing several block boundaries), with and without a prefix byte,
    /// against libsodium.
    @Test func swiftPathMatchesLibsodium() {
        var rng = SplitMix64(seed: 42)
        for len in 0...600 {
            let data = rng.bytes(len)
            #expect(Blake2b256.hash(data) == Blake2b256.sodiumHash(data), "len \(len)")
            let p = UInt8(truncatingIfNeeded: rng.next())
            #expect(Blake2b256.hash(prefix: p, data) == Blake2b256.sodiumHash([p] + data), "prefixed len \(len)")
        }
    }

    @Test func innerHashFastPathMatchesLibsodium() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let l = Digest32(bytes: rng.bytes(32))!
            let r = Digest32(bytes: rng.bytes(32))!
            let p = UInt8(truncatingIfNeeded: rng.next())
            #expect(Blake2b256.hash(prefix: p, l, r) == Blake2b256.sodiumHash([p] + l.bytes + r.bytes))
        }
    }

    @Test func digestBytesRoundTrip() {
        var rng = SplitMix64(seed: 9)
        let b = rng.bytes(32)
        let d = Digest32(bytes: b)!
        #expect(d.bytes == b)
        for i in 0..<32 { #expect(d[byte: i] == b[i]) }
        #expect(Digest32(bytes: [1, 2, 3]) == nil)
        #expect(Hex.decode(d.hex) == b)
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode("abc") == nil)
        let a = Digest32(bytes: [0] + [UInt8](repeating: 255, count: 31))!
        let c = Digest32(bytes: [1] + [UInt8](repeating: 0, count: 31))!
        #expect(a < c)
    }
}

@Suite struct Ed25519Tests {
    @Test func signVerify() throws {
        let (pk, sk) = try Ed25519.keyPair(seed: [UInt8](repeating: 7, count: 32))
        let msg = Array("storage confirmation".utf8)
        let sig = Ed25519.sign(msg, with: sk)
        #expect(Ed25519.verify(sig, of: msg, by: pk))
        #expect(!Ed25519.verify(sig, of: msg + [0], by: pk))
        var bad = sig.bytes
        bad[5] ^= 1
        #expect(!Ed25519.verify(try Ed25519.Signature(bytes: bad), of: msg, by: pk))
        let (pk2, _) = try Ed25519.keyPair(seed: [UInt8](repeating: 8, count: 32))
        #expect(!Ed25519.verify(sig, of: msg, by: pk2))
        // Deterministic from the seed, empty message allowed.
        let (pk3, sk3) = try Ed25519.keyPair(seed: [UInt8](repeating: 7, count: 32))
        #expect(pk3 == pk)
        #expect(Ed25519.verify(Ed25519.sign([], with: sk3), of: [], by: pk))
        #expect(throws: SignatureError.badSeedLength(3)) { try Ed25519.keyPair(seed: [1, 2, 3]) }
        #expect(throws: SignatureError.badSignatureLength(2)) { try Ed25519.Signature(bytes: [1, 2]) }
    }

    /// RFC 8032 §7.1 test 1 (empty message).
    @Test func rfc8032Vector() throws {
        let seed = Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!
        let (pk, sk) = try Ed25519.keyPair(seed: seed)
        #expect(Hex.encode(pk.bytes) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let sig = Ed25519.sign([], with: sk)
        #expect(Hex.encode(sig.bytes) == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    }
}

@Suite struct BCSTests {
    @Test func integersAndULEB() throws {
        var w = BCSWriter()
        w.writeU8(1); w.writeU16(0x0203); w.writeU32(0x0405_0607); w.writeU64(0x0809_0a0b_0c0d_0e0f)
        w.writeULEB128(0); w.writeULEB128(127); w.writeULEB128(128); w.writeULEB128(300); w.writeULEB128(UInt64(UInt32.max))
        w.writeBool(true)
        #expect(Hex.encode(w.bytes) == "01" + "0302" + "07060504" + "0f0e0d0c0b0a0908" + "00" + "7f" + "8001" + "ac02" + "ffffffff0f" + "01")
        var r = BCSReader(w.bytes)
        #expect(try r.readU8() == 1)
        #expect(try r.readU16() == 0x0203)
        #expect(try r.readU32() == 0x0405_0607)
        #expect(try r.readU64() == 0x0809_0a0b_0c0d_0e0f)
        #expect(try r.readULEB128() == 0)
        #expect(try r.readULEB128() == 127)
        #expect(try r.readULEB128() == 128)
        #expect(try r.readULEB128() == 300)
        #expect(try r.readULEB128() == UInt32.max)
        #expect(try r.readBool())
        try r.finish()
    }

    @Test func hostileInputsGiveTypedErrors() {
        var r = BCSReader([0x80, 0x00])  // non-canonical zero
        #expect(throws: BCSError.invalidULEB128(offset: 0)) { try r.readULEB128() }
        r = BCSReader([0xff, 0xff, 0xff, 0xff, 0x1f])  // > u32
        #expect(throws: BCSError.invalidULEB128(offset: 0)) { try r.readULEB128() }
        r = BCSReader([0xff, 0xff, 0xff, 0xff, 0x8f, 0x01])  // too long
        #expect(throws: BCSError.invalidULEB128(offset: 0)) { try r.readULEB128() }
        r = BCSReader([0x01, 0x02])
        #expect(throws: BCSError.truncated(offset: 0, needed: 4)) { try r.readU32() }
        r = BCSReader([0xff, 0xff, 0xff, 0x0f, 1, 2])  // huge vector length, few bytes
        #expect(throws: BCSError.self) { try r.readBytes() }
        r = BCSReader([0x05, 1, 2, 3, 4, 5])
        #expect(throws: BCSError.lengthLimitExceeded(length: 5, limit: 4)) { try r.readBytes(limit: 4) }
        r = BCSReader([0x02])
        #expect(throws: BCSError.invalidValue("bool byte at offset 0 is not 0 or 1")) { try r.readBool() }
        r = BCSReader([0x02, 0])
        #expect(throws: BCSError.invalidVariant(type: "Option", index: 2)) { try r.readOption { (r: inout BCSReader) throws(BCSError) in try r.readU8() } }
        r = BCSReader([1, 2])
        _ = try? r.readU8()
        #expect(throws: BCSError.trailingBytes(count: 1)) { try r.finish() }
    }

    @Test func optionsSequencesDigests() throws {
        var w = BCSWriter()
        w.writeOption(UInt16(5)) { $0.writeU16($1) }
        w.writeOption(UInt16?.none) { $0.writeU16($1) }
        w.writeSequence([UInt16(1), 2, 3]) { $0.writeU16($1) }
        w.writeBytes([9, 8])
        let d = Blake2b256.hash([1])
        w.writeDigest(d)
        var r = BCSReader(w.bytes)
        #expect(try r.readOption { (r: inout BCSReader) throws(BCSError) in try r.readU16() } == 5)
        #expect(try r.readOption { (r: inout BCSReader) throws(BCSError) in try r.readU16() } == nil)
        #expect(try r.readSequence(minElementBytes: 2) { (r: inout BCSReader) throws(BCSError) in try r.readU16() } == [1, 2, 3])
        #expect(try r.readBytes() == [9, 8])
        #expect(try r.readDigest() == d)
        try r.finish()
    }
}

@Suite struct Blake2bMultiBufferTests {
    /// The SIMD multi-buffer kernel (AVX-512 or AVX2, whichever this CPU has) against libsodium,
    /// for every length 0...300 and counts that leave idle lanes.
    @Test func stridedMatchesLibsodium() {
        #expect(MemoryLayout<Digest32>.size == 32 && MemoryLayout<Digest32>.stride == 32)
        var rng = SplitMix64(seed: 11)
        for len in 0...300 {
            let count = 1 + Int(rng.next() % 19)
            let stride = len + Int(rng.next() % 5)
            let data = rng.bytes(count * stride + 1)
            for prefix in [UInt8?.none, 0, 1] {
                for simd in [true, false] {
                    var out = [UInt8](repeating: 0, count: count * 40)
                    data.withUnsafeBytes { d in
                        out.withUnsafeMutableBytes { o in
                            Blake2b256.hashStrided(base: d.baseAddress!, inStride: stride, count: count, length: len,
                                                   prefix: prefix, out: o.baseAddress!, outStride: 40, simd: simd)
                        }
                    }
                    for i in 0..<count {
                        let msg = (prefix.map { [$0] } ?? []) + Array(data[(i * stride)..<(i * stride + len)])
                        #expect(Array(out[(i * 40)..<(i * 40 + 32)]) == Blake2b256.sodiumHash(msg).bytes,
                                "len \(len) count \(count) item \(i) simd \(simd) lanes \(Blake2b256.simdLanes)")
                    }
                }
            }
        }
    }

    /// In-place reduction of a Merkle level (inStride 64, outStride 32).
    @Test func inPlaceLevelReduction() {
        var rng = SplitMix64(seed: 12)
        for count in [1, 2, 3, 7, 8, 9, 16, 17, 33, 100] {
            let level = (0..<(2 * count)).map { _ in Digest32(bytes: rng.bytes(32))! }
            var work = level
            work.withUnsafeMutableBytes { w in
                Blake2b256.hashStrided(base: w.baseAddress!, inStride: 64, count: count, length: 64, prefix: 1,
                                       out: w.baseAddress!, outStride: 32)
            }
            for i in 0..<count {
                #expect(work[i] == Blake2b256.hash(prefix: 1, level[2 * i], level[2 * i + 1]))
            }
        }
    }
}
