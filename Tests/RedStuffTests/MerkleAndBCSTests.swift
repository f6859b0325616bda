import Testing
import WalrusCrypto
@testable import RedStuff

@Suite struct MerkleTests {
    static let words = ["foo", "bar", "fizz", "baz", "buzz", "fizz", "foobar", "walrus", "fizz"].map { Array($0.utf8) }

    @Test func rootsAndPadding() {
        #expect(MerkleHash.root(leafHashes: []) == .empty)
        let one = MerkleHash.leaf(Self.words[0])
        #expect(MerkleHash.root(leafHashes: [one]) == .digest(one))
        let l = Self.words.prefix(3).map { MerkleHash.leaf($0) }
        // Three leaves: the odd one is paired with an Empty (zero) node.
        let expected = MerkleHash.inner(MerkleHash.inner(l[0], l[1]), MerkleHash.inner(l[2], .zero))
        #expect(MerkleHash.root(leafHashes: l) == .digest(expected))
        // The leaf hash uses the 0x00 prefix, inner the 0x01 prefix.
        #expect(one == Blake2b256.sodiumHash([0] + Self.words[0]))
        #expect(MerkleHash.inner(l[0], l[1]) == Blake2b256.sodiumHash([1] + l[0].bytes + l[1].bytes))
        #expect(MerkleHash.pathLength(leafCount: 0) == 0)
        #expect(MerkleHash.pathLength(leafCount: 1) == 0)
        #expect(MerkleHash.pathLength(leafCount: 2) == 1)
        #expect(MerkleHash.pathLength(leafCount: 5) == 3)
        #expect(MerkleHash.pathLength(leafCount: 1000) == 10)
        #expect(MerkleHash.pathLength(leafCount: 1024) == 10)
        #expect(MerkleHash.pathLength(leafCount: 1025) == 11)
    }

    @Test func proofsForEveryLeafAndSize() throws {
        for count in 1...Self.words.count {
            let leaves = Array(Self.words.prefix(count))
            let tree = MerkleTree(leafHashes: leaves.map { MerkleHash.leaf($0) })
            #expect(tree.root == MerkleHash.root(leafHashes: leaves.map { MerkleHash.leaf($0) }))
            for i in 0..<count {
                let proof = try tree.proof(leafIndex: i)
                #expect(proof.path.count == MerkleHash.pathLength(leafCount: count))
                let ok = leaves[i].withUnsafeBytes { proof.verify(leaf: $0, leafIndex: i, leafCount: count, root: tree.root) }
                #expect(ok)
                // Wrong leaf, wrong index, too long a path.
                #expect(!proof.verify(leafHash: MerkleHash.leaf([1]), leafIndex: i, leafCount: count, root: tree.root))
                if count > 1 {
                    let other = (i + 1) % count
                    #expect(!proof.verify(leafHash: MerkleHash.leaf(leaves[i]), leafIndex: other, leafCount: count, root: tree.root)
                            || leaves[other] == leaves[i])
                }
                let long = MerkleProof(path: proof.path + [.empty])
                #expect(!long.verify(leafHash: MerkleHash.leaf(leaves[i]), leafIndex: i, leafCount: count, root: tree.root))
                #expect(try MerkleProof(bcsBytes: proof.bcsBytes) == proof)
            }
            #expect(throws: RedStuffError.indexOutOfRange(index: count, count: count)) { try tree.proof(leafIndex: count) }
        }
        // Empty siblings appear for odd levels: 5 leaves, leaf 4's path is [Empty, Empty, digest].
        let tree5 = MerkleTree(leafHashes: Self.words.prefix(5).map { MerkleHash.leaf($0) })
        let p4 = try tree5.proof(leafIndex: 4)
        #expect(p4.path[0] == .empty && p4.path[1] == .empty)
        if case .digest = p4.path[2] {} else { Issue.record("expected a digest sibling") }
        // compute_root rule: leaf_index >> path.len() must be 0.
        #expect(p4.computeRoot(leafHash: .zero, leafIndex: 8) == nil)
    }

    @Test func nodeBCS() throws {
        #expect(MerkleNode.empty.bcsBytes == [0])
        let d = Blake2b256.hash([1, 2, 3])
        #expect(MerkleNode.digest(d).bcsBytes == [1] + d.bytes)
        #expect(throws: BCSError.invalidVariant(type: "Node", index: 2)) { try MerkleNode(bcsBytes: [2]) }
        #expect(throws: BCSError.self) { try MerkleNode(bcsBytes: [1, 0, 0]) }
    }
}

@Suite struct BCSLayoutTests {
    @Test func metadataLayout() throws {
        let config = try EncodingConfig(nShards: 10)
        let md = try BlobEncoder(config: config).computeMetadata(blob: RegressionVectorTests.blob)
        let bytes = md.bcsBytes
        // blob_id (32) | V1 variant 0x00 | encoding type 0x01 (offset 33) | u64 length | ULEB n | pairs.
        #expect(bytes.count == 32 + 1 + 1 + 8 + 1 + 10 * 66)
        #expect(Array(bytes.prefix(32)) == md.blobID.bytes)
        #expect(bytes[32] == 0 && bytes[33] == 1)
        #expect(Array(bytes[34..<42]) == [33, 0, 0, 0, 0, 0, 0, 0])
        #expect(bytes[42] == 10 && bytes[43] == 1)
        #expect(try BlobMetadataWithID(bcsBytes: bytes) == md)
        // RaptorQ (0) and unknown types are rejected; V2 is rejected; trailing bytes rejected.
        var raptor = bytes
        raptor[33] = 0
        #expect(throws: BCSError.invalidVariant(type: "EncodingType", index: 0)) { try BlobMetadataWithID(bcsBytes: raptor) }
        var v2 = bytes
        v2[32] = 1
        #expect(throws: BCSError.invalidVariant(type: "BlobMetadata", index: 1)) { try BlobMetadataWithID(bcsBytes: v2) }
        #expect(throws: BCSError.trailingBytes(count: 1)) { try BlobMetadataWithID(bcsBytes: bytes + [0]) }
        for cut in [0, 31, 33, 41, 43, 100, bytes.count - 1] {
            #expect(throws: BCSError.self) { try BlobMetadataWithID(bcsBytes: Array(bytes.prefix(cut))) }
        }
    }

    @Test func sliverAndSymbolLayouts() throws {
        let config = try EncodingConfig(nShards: 10)
        let enc = try BlobEncoder(config: config).encode(blob: RegressionVectorTests.blob)
        let sliver = enc.pairs[0].secondary  // index 9, 8 bytes
        #expect(Hex.encode(sliver.bcsBytes) == "08" + "c2f80b0295ac0000" + "0200" + "0900")
        #expect(try Sliver.decode(axis: .secondary, bcsBytes: sliver.bcsBytes) == sliver)
        #expect(throws: BCSError.invalidValue("symbol size is zero")) { try Sliver.decode(axis: .primary, bcsBytes: [2, 1, 2, 0, 0, 0, 0]) }
        #expect(throws: BCSError.self) { try Sliver.decode(axis: .primary, bcsBytes: [3, 1, 2, 3, 2, 0, 0, 0]) }
        let pair = enc.pairs[3]
        #expect(try SliverPair(bcsBytes: pair.bcsBytes) == pair)
        // DecodingSymbol: u16 index, Vec<u8> data; then the proof.
        let sym = try ExpandedSliver(sliver: enc.pairs[1].primary, config: config).recoverySymbol(forTargetPair: 0)
        let b = sym.bcsBytes
        #expect(Array(b.prefix(5)) == [1, 0, 2] + sym.data)
        #expect(b[5] == UInt8(sym.proof.path.count))
        #expect(EncodingConfig.encodingTypeRS2 == 1)
        // GeneralRecoverySymbol: ByAxis variant (1 = secondary target), symbol, target u16, proof.
        let general = GeneralRecoverySymbol(symbol: sym, targetIndex: config.sliverIndex(ofPair: 0, axis: .secondary))
        let gb = general.bcsBytes
        #expect(gb == [1] + Array(b.prefix(5)) + [9, 0] + Array(b.suffix(from: 5)))
        #expect(try GeneralRecoverySymbol(bcsBytes: gb) == general)
        try general.verify(config: config, metadata: enc.metadata.metadata)
        #expect(general.symbolID == (1, 9))
        #expect(throws: BCSError.invalidVariant(type: "ByAxis", index: 2)) { try GeneralRecoverySymbol(bcsBytes: [2] + gb.dropFirst()) }
    }
}
