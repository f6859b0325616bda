import TestSupport
import ReedSolomon
import Testing
import WalrusCrypto
@testable import RedStuff

@Suite struct ParameterTests {
    @Test(arguments: [(4, 2, 3), (7, 3, 5), (9, 5, 7), (10, 4, 7), (31, 11, 21), (51, 19, 35), (100, 34, 67),
                      (101, 35, 68), (301, 101, 201), (1000, 334, 667)])
    func rowsAndColumns(n: Int, r: Int, c: Int) throws {
        let config = try EncodingConfig(nShards: n)
        #expect(config.rows == r)
        #expect(config.columns == c)
        #expect(config.maxFaulty == (n - 1) / 3)
    }

    @Test func invalidShardCounts() {
        for n in [-1, 0, 1, 2, 3, 49_156, 65535, 65536] {
            #expect(throws: RedStuffError.invalidShardCount(n)) { try EncodingConfig(nShards: n) }
        }
        #expect((try? EncodingConfig(nShards: EncodingConfig.maxShards)) != nil)
    }

    /// `maxShards` is exactly where reed-solomon-simd stops supporting both of RS2's codes:
    /// every n up to it builds both (primary: n - 2f source, 2f recovery; secondary: n - f, f),
    /// and no n above it builds the primary one.
    @Test func maxShardsIsTheCodecsTrueLimit() {
        func supported(_ n: Int) -> Bool {
            let f = (n - 1) / 3
            return (try? ReedSolomonCodec(originalCount: n - 2 * f, recoveryCount: 2 * f)) != nil
                && (try? ReedSolomonCodec(originalCount: n - f, recoveryCount: f)) != nil
        }
        var firstUnsupported: Int?, supportedAbove = 0
        for n in 4...65_535 {
            if supported(n) { if firstUnsupported != nil { supportedAbove += 1 } } else if firstUnsupported == nil { firstUnsupported = n }
        }
        #expect(firstUnsupported == EncodingConfig.maxShards + 1)
        #expect(supportedAbove == 0)
    }

    @Test func symbolSizes() throws {
        let c1000 = try EncodingConfig(nShards: 1000)
        #expect(try c1000.symbolSize(forBlobLength: 0) == 2)
        #expect(try c1000.symbolSize(forBlobLength: 1) == 2)
        #expect(try c1000.symbolSize(forBlobLength: 1 << 20) == 6)
        #expect(try c1000.symbolSize(forBlobLength: 32 << 20) == 152)
        #expect(try c1000.symbolSize(forBlobLength: 1 << 30) == 4820)
        #expect(c1000.maxBlobSize == 14_599_533_452)
        #expect(try c1000.symbolSize(forBlobLength: c1000.maxBlobSize) == 65534)
        #expect(throws: RedStuffError.dataTooLarge(length: c1000.maxBlobSize + 1, maxLength: c1000.maxBlobSize)) {
            try c1000.symbolSize(forBlobLength: c1000.maxBlobSize + 1)
        }
        #expect(try EncodingConfig(nShards: 100).maxBlobSize == 149_286_452)
        #expect(try EncodingConfig(nShards: 10).maxBlobSize == 1_834_952)
        // sliver_size_for_blob::<Primary> with R=3, C=5 (n = 7 has R=3, C=5).
        let c7 = try EncodingConfig(nShards: 7)
        #expect(c7.rows == 3 && c7.columns == 5)
        #expect(try c7.sliverSize(.primary, blobLength: 0) == 10)
        #expect(try c7.sliverSize(.primary, blobLength: 1) == 10)
        #expect(try c7.sliverSize(.primary, blobLength: 30) == 10)
        #expect(try c7.sliverSize(.primary, blobLength: 31) == 20)
        #expect(throws: RedStuffError.self) { try c7.sliverSize(.primary, blobLength: 3 * 5 * 65534 + 1) }
    }

    /// On-chain vectors of `redstuff::encoded_blob_length` (spec §1).
    @Test func encodedLengths() throws {
        let c10 = try EncodingConfig(nShards: 10)
        let c1000 = try EncodingConfig(nShards: 1000)
        #expect(try c10.encodedBlobLength(blobLength: 1) == 10 * (2 * (4 + 7) + 10 * 2 * 32 + 32))
        #expect(try c1000.encodedBlobLength(blobLength: 1) == 1000 * (2 * (334 + 667) + 1000 * 2 * 32 + 32))
        #expect(try c10.encodedBlobLength(blobLength: 28 * 100) == 10 * ((4 + 7) * 100 + 10 * 2 * 32 + 32))
        #expect(try c1000.encodedBlobLength(blobLength: 334 * 667 * 100) == 1000 * ((334 + 667) * 100 + 1000 * 2 * 32 + 32))
        #expect(try c10.encodedBlobLength(blobLength: 0) == c10.encodedBlobLength(blobLength: 1))
        #expect(try c1000.encodedBlobLength(blobLength: 1 << 20) == 70_038_000)
        #expect(try c1000.encodedBlobLength(blobLength: 1 << 30) == 4_888_852_000)
        #expect(c1000.metadataLength == 64_032)
    }

    @Test func pairIndices() throws {
        let c = try EncodingConfig(nShards: 10)
        #expect(c.sliverIndex(ofPair: 0, axis: .secondary) == 9)
        #expect(c.sliverIndex(ofPair: 9, axis: .secondary) == 0)
        #expect(c.sliverIndex(ofPair: 3, axis: .primary) == 3)
        for p in 0..<10 { for a in SliverAxis.allCases { #expect(c.pairIndex(ofSliver: c.sliverIndex(ofPair: p, axis: a), axis: a) == p) } }
    }

    /// `blob_id_from_u64(11)` rotates [0,1,2,3,4] into [4,0,1,2,3].
    @Test func rotation() throws {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[31] = 11
        let id = BlobID(bytes: bytes)!
        let m = ShardMapping(blobID: id, nShards: 5)
        #expect(m.offset == 1)
        #expect(m.rotate([0, 1, 2, 3, 4]) == [4, 0, 1, 2, 3])
        for p in 0..<5 { #expect(m.pair(ofShard: m.shard(ofPair: p)) == p) }
        // Any n, any index: no traps, and the same answers as the naive formula where it fits.
        for n in [1, 2, 3, 7, 1000, 65535, Int.max, Int.max - 1] {
            let big = ShardMapping(blobID: id, nShards: n)
            for p in [0, 1, n - 1, Int.min, Int.max, -5] {
                let s = big.shard(ofPair: p)
                #expect(s >= 0 && s < n)
                let r = p % n
                #expect(big.pair(ofShard: s) == (r < 0 ? r + n : r))
            }
        }
        #expect(BlobID(digest: Digest32(bytes: [UInt8](repeating: 0xff, count: 32))!).rotationOffset(nShards: Int.max) >= 0)
        let c7 = try EncodingConfig(nShards: 7)
        #expect(c7.sliverIndex(ofPair: Int.min, axis: .secondary) != 0)  // wraps, no trap
        // Big-endian reading: a 1 in byte 0 is 2^248.
        var hi = [UInt8](repeating: 0, count: 32)
        hi[0] = 1
        // 2^248 mod 7 = 2^(248 mod 3) = 2^2 = 4 (2^3 = 1 mod 7).
        #expect(BlobID(bytes: hi)!.rotationOffset(nShards: 7) == 4)
    }

    /// Message-matrix layout of spec §2.1, seen through the slivers.
    @Test func matrixLayout() throws {
        // n = 4: R=2, C=3. Blob [1..12] with s = 2 → rows [1..6], [7..12]; columns
        // [1,2,7,8], [3,4,9,10], [5,6,11,12].
        let c4 = try EncodingConfig(nShards: 4)
        let blob = (1...12).map { UInt8($0) }
        let enc = try BlobEncoder(config: c4).encode(blob: blob)
        #expect(enc.pairs[0].primary.data == [1, 2, 3, 4, 5, 6])
        #expect(enc.pairs[1].primary.data == [7, 8, 9, 10, 11, 12])
        // Secondary sliver j lives in pair n-1-j.
        #expect(enc.pairs[3].secondary.index == 0)
        #expect(enc.pairs[3].secondary.data == [1, 2, 7, 8])
        #expect(enc.pairs[2].secondary.data == [3, 4, 9, 10])
        #expect(enc.pairs[1].secondary.data == [5, 6, 11, 12])
        // Misaligned blob: [1..5] → s = 2, rows [1,2,3,4,5,0], [0...].
        let enc2 = try BlobEncoder(config: c4).encode(blob: [1, 2, 3, 4, 5])
        #expect(enc2.pairs[0].primary.data == [1, 2, 3, 4, 5, 0])
        #expect(enc2.pairs[1].primary.data == [0, 0, 0, 0, 0, 0])
    }

    /// The lower-right block: expanding a recovered primary sliver r >= R gives the same row as
    /// the column encodings (linearity, spec §2.3), visible as matching metadata hashes.
    @Test func expandedSliversMatchMetadata() throws {
        for n in [4, 5, 7, 10, 13] {
            let config = try EncodingConfig(nShards: n)
            var rng = SplitMix(seed: UInt64(n))
            let blob = rng.bytes(rng.int(0...500))
            let enc = try BlobEncoder(config: config).encode(blob: blob)
            for pair in enc.pairs {
                #expect(try pair.primary.merkleRoot(config: config) == enc.metadata.metadata.hashes[pair.index].primaryHash)
                #expect(try pair.secondary.merkleRoot(config: config) == enc.metadata.metadata.hashes[pair.index].secondaryHash)
            }
        }
    }

    @Test func storageConfirmationBytes() throws {
        let id = BlobID(base64: "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY")!
        let msg = StorageConfirmation(epoch: 1, blobID: id, persistence: .permanent)
        #expect(Hex.encode(msg.bcsBytes) == "0100030100000045c53cd8cc1ff82164bf52da23fdaa72900dc29194b86dd33309d5cd9c43da4600")
        #expect(try StorageConfirmation(bcsBytes: msg.bcsBytes) == msg)
        // A node signs exactly these bytes (Ed25519 stands in for BLS12-381 here).
        let (pk, sk) = try Ed25519.keyPair(seed: [UInt8](repeating: 42, count: 32))
        let sig = Ed25519.sign(msg.bcsBytes, with: sk)
        #expect(Ed25519.verify(sig, of: msg.bcsBytes, by: pk))
        #expect(!Ed25519.verify(sig, of: StorageConfirmation(epoch: 2, blobID: id, persistence: .permanent).bcsBytes, by: pk))
        // Certificate from 3 of 4 members (weights in shards).
        let keys = try (0..<4).map { try Ed25519.keyPair(seed: [UInt8](repeating: UInt8($0), count: 32)) }
        let signed = keys.map { SignedMessage<Ed25519>(signing: msg, with: $0.secretKey) }
        #expect(signed.enumerated().allSatisfy { $0.element.verify(by: keys[$0.offset].publicKey) })
        let cert = Certificate<Ed25519>(serializedMessage: msg.bcsBytes, signers: [0, 2, 3],
                                        signatures: [signed[0].signature, signed[2].signature, signed[3].signature])
        let weight = cert.verifiedWeight(publicKeys: keys.map(\.publicKey), weights: [3, 3, 2, 2])
        #expect(weight == 7)
        #expect(Quorum.isCertificationQuorum(weight: 7, nShards: 10))
        let forged = Certificate<Ed25519>(serializedMessage: msg.bcsBytes, signers: [0, 0], signatures: [signed[0].signature, signed[0].signature])
        #expect(forged.verifiedWeight(publicKeys: keys.map(\.publicKey), weights: [3, 3, 2, 2]) == nil)
        let del = StorageConfirmation(epoch: 7, blobID: id, persistence: .deletable(objectID: Blake2b256.hash([1])))
        #expect(del.bcsBytes.count == 72)
        #expect(try StorageConfirmation(bcsBytes: del.bcsBytes) == del)
        let inv = InvalidBlobIDMessage(epoch: 2, blobID: id)
        #expect(Array(inv.bcsBytes.prefix(7)) == [2, 0, 3, 2, 0, 0, 0])
        #expect(try InvalidBlobIDMessage(bcsBytes: inv.bcsBytes) == inv)
        #expect(throws: BCSError.self) { try InvalidBlobIDMessage(bcsBytes: msg.bcsBytes) }
        let bm = try SignerBitmap(signers: [0, 9, 3], memberCount: 12)
        #expect(bm.bytes == [0b0000_1001, 0b0000_0010])
        #expect(bm.contains(9) && !bm.contains(8) && !bm.contains(100))
        #expect(Quorum.isCertificationQuorum(weight: 667, nShards: 1000))
        #expect(!Quorum.isCertificationQuorum(weight: 666, nShards: 1000))
        #expect(Quorum.isValidityQuorum(weight: 334, nShards: 1000))
        #expect(!Quorum.isValidityQuorum(weight: 333, nShards: 1000))
        // Same answers as the Move formulas for every small case, and no overflow for huge ones.
        for n in 0...40 { for w in 0...40 {
            #expect(Quorum.isCertificationQuorum(weight: w, nShards: n) == (3 * w >= 2 * n + 1))
            #expect(Quorum.isValidityQuorum(weight: w, nShards: n) == (3 * w >= n + 1))
        } }
        #expect(Quorum.isCertificationQuorum(weight: Int.max, nShards: Int.max))
        #expect(!Quorum.isValidityQuorum(weight: -1, nShards: 4))
    }

    @Test func base64() {
        #expect(Base64URL.encode([]) == "")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("-_9") == nil)  // non-zero spare bits
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("a+b/") == nil)
        #expect(BlobID(base64: "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY")?.digest.hex
                == "45c53cd8cc1ff82164bf52da23fdaa72900dc29194b86dd33309d5cd9c43da46")
        #expect(BlobID(base64: "RcU8") == nil)
    }
}

@Suite struct WorkEstimateTests {
    /// Spec §10: at n = 1000, 10^6 leaf hashes, 2000 trees of 1001 inner hashes, plus 1001 + 1000 + 1.
    @Test func metadataHashCountsAtMainnetShape() throws {
        let c = try EncodingConfig(nShards: 1000)
        #expect(EncodingConfig.innerHashes(leaves: 1000) == 1001)
        #expect(EncodingConfig.innerHashes(leaves: 1) == 0)
        #expect(EncodingConfig.innerHashes(leaves: 2) == 1)
        #expect(EncodingConfig.innerHashes(leaves: 3) == 3)
        let w = try c.metadataWork(blobLength: 1 << 20)
        #expect(w.hashCalls == 1_000_000 + 2000 * 1001 + 1000 + 1001 + 1)
        #expect(w.hashCompressions == w.hashCalls)  // s = 6: every message fits one block
        let big = try c.metadataWork(blobLength: 32 << 20)  // s = 152: leaves take 2 blocks
        #expect(big.hashCompressions == w.hashCompressions + 1_000_000)
        #expect(try c.sliverVerificationWork(.primary, blobLength: 1).hashCalls == 1000 + 1001)
        #expect(try c.symbolVerificationWork(blobLength: 1).hashCalls == 11)
        #expect(try c.sliverRecoveryWork(.secondary, blobLength: 1).hashCalls == 334 * 11 + 2001)
        #expect(try c.blobDecodingWork(.primary, blobLength: 1, check: .skip).hashCalls == 0)
        #expect(try c.blobDecodingWork(.primary, blobLength: 1, check: .default).hashCalls == 334 * 2001)
    }
}
