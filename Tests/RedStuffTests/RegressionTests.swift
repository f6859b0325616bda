import Testing
import WalrusCrypto
@testable import RedStuff

/// Spec §8.1: `test_v1_blob_id_stability` and its intermediate values.
@Suite struct RegressionVectorTests {
    static let blob = Array("walrus blob id v1 regression test".utf8)

    @Test func blobIDAndIntermediates() throws {
        let config = try EncodingConfig(nShards: 10)
        #expect(config.rows == 4 && config.columns == 7)
        #expect(try config.symbolSize(forBlobLength: UInt64(Self.blob.count)) == 2)
        let encoded = try BlobEncoder(config: config).encode(blob: Self.blob)
        let md = encoded.metadata
        #expect(md.blobID.base64 == "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY")
        #expect(md.blobID.digest.hex == "45c53cd8cc1ff82164bf52da23fdaa72900dc29194b86dd33309d5cd9c43da46")
        #expect(md.metadata.merkleRoot.value.hex == "dc3457c94140737f55ccfba619f79c96928f3845da745142c7c8e23396eedf88")
        #expect(md.metadata.hashes[0].primaryHash.value.hex == "e72fef473a7821fd33d556b2c2cee51481e6198fbccc8904232ae517c25b507f")
        #expect(md.metadata.hashes[0].secondaryHash.value.hex == "3e97b1aacf9199e3d46a777da0c6026de6aede8aeb509e53a5df0b01a5beacd2")
        #expect(Hex.encode(encoded.pairs[9].primary.data) == "f5922d0de94cd01282141b50fbb8")
        #expect(encoded.pairs[0].secondary.index == 9)
        #expect(Hex.encode(encoded.pairs[0].secondary.data) == "c2f80b0295ac0000")
        #expect(md.blobID.rotationOffset(nShards: 10) == 8)
        // Preimage.
        var w = BCSWriter()
        w.writeU8(1); w.writeU64(33); w.writeDigest(md.metadata.merkleRoot.value)
        #expect(Hex.encode(w.bytes) == "012100000000000000dc3457c94140737f55ccfba619f79c96928f3845da745142c7c8e23396eedf88")
        // The metadata-only path agrees, single- and multi-threaded.
        #expect(try BlobEncoder(config: config).computeMetadata(blob: Self.blob) == md)
        #expect(try BlobEncoder(config: config, options: .init(threads: 2)).computeMetadata(blob: Self.blob) == md)
        try md.verify(config: config)
        for pair in encoded.pairs { try pair.verify(metadata: md.metadata, config: config) }
    }
}
