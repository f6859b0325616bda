import Testing
import WalrusCrypto
@testable import RedStuff

// Where the expected values come from:
// - `computeSymbolSize` cases: pinned in walrus-core `quilt_encoding.rs`
//   (`test_quilt_find_min_length`) and in Mysten's TypeScript SDK
//   (ts-sdks `packages/walrus/test/unit/utils/compute-symbol-size.test.ts`).
// - Quilt byte layouts at n = 1000: the TypeScript SDK pins a djb2 hash and the length of the
//   whole unencoded quilt for many inputs (`packages/walrus/test/unit/encode-quilt.test.ts`);
//   Walrus's Rust tests compute their expectations (round trips) rather than pin bytes, so
//   those are ported as round trips.
// - QuiltPatchId text: the same TypeScript file pins three IDs; Walrus's docs
//   (`docs/content/http-api/quilt-http-apis.mdx`, a real `store-quilt` output at n = 1000)
//   give a quilt ID with two patch IDs, which must agree with each other and with n = 1000.
// - Malformed data: the error kinds of walrus-core's `test_decode_*` tests.
// No Rust could be built here (crates.io is unreachable), so no vector was produced by running
// Walrus itself.

/// djb2 over bytes with 32-bit wrapping, printed as 8 hex digits (the TS tests' `hashBytes`).
private func djb2(_ bytes: [UInt8]) -> String {
    var h: UInt32 = 5381
    for b in bytes { h = (h &<< 5) &+ h &+ UInt32(b) }
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}

/// The TS tests' `createTestBlob(size, seed)`: byte i = (i + seed) mod 256.
private func testBlob(_ size: Int, _ seed: Int = 0) -> [UInt8] {
    (0..<size).map { UInt8(($0 + seed) % 256) }
}

private func blob(_ data: [UInt8], _ id: String, _ tags: QuiltTags = .empty) throws -> QuiltBlob {
    try QuiltBlob(data: data, identifier: id, tags: tags)
}

/// The TS SDK's `blobIdFromInt`: the integer as 32 little-endian bytes.
private func blobIDFromInt(_ v: UInt64) -> BlobID {
    var bytes = [UInt8](repeating: 0, count: 32)
    for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
    return BlobID(bytes: bytes)!
}

@Suite struct QuiltSymbolSizeTests {
    /// walrus-core `test_quilt_find_min_length`: (sizes, columns, rows, max index columns, result).
    @Test(arguments: [
        ([1000, 1, 1], 4, 7, 2, 72),
        ([1], 3, 2, 1, 4),
        ([115, 80, 4], 17, 9, 3, 6),
        ([20, 20, 20], 3, 5, 2, 4),
        ([5, 5, 5], 5, 1, 1, 6),
        ([25, 35, 45], 200, 1, 3, 10),
        ([10, 0, 0, 0], 17, 9, 2, 2),
        ([416, 253, 258, 384, 492, 303, 276, 464, 143, 251, 388, 263, 515, 433, 505,
          385, 346, 69, 48, 495, 329, 450, 494, 104, 539, 245, 109, 317, 60], 34, 16, 3, 32),
    ])
    func walrusVectors(sizes: [Int], columns: Int, rows: Int, maxIndex: Int, expected: Int) throws {
        let s = try QuiltV1Codec.computeSymbolSize(blobSizes: sizes, nColumns: columns, nRows: rows, maxIndexColumns: maxIndex)
        #expect(s == expected)
        #expect(sizes.reduce(0) { $0 + ($1 + s * rows - 1) / (s * rows) } <= columns)
    }

    @Test func walrusErrorVectors() {
        #expect(throws: QuiltError.tooManyBlobs(3, 2)) {
            try QuiltV1Codec.computeSymbolSize(blobSizes: [2, 1, 2, 1], nColumns: 3, nRows: 3, maxIndexColumns: 1)
        }
        #expect(throws: QuiltError.emptyInput("blobs")) {
            try QuiltV1Codec.computeSymbolSize(blobSizes: [], nColumns: 3, nRows: 1, maxIndexColumns: 1)
        }
    }

    /// TypeScript SDK vectors at n = 1000 (667 columns, 334 rows, 10 index columns).
    @Test(arguments: [
        ([100], 2), ([1_000_000], 300), ([1000, 1000, 1000, 1000, 1000], 2), ([100, 5000, 200, 10000, 500], 2),
        ([1024, 2048, 4096, 8192], 2), ([Int](repeating: 10, count: 667), 2), ([3340, 6680, 10020], 2),
        ([1822, 2223620, 12027, 2453254, 10342, 3134443, 12059, 3946664, 12765, 3043298, 12087,
          3133711, 13003, 3383061, 12093, 3155563, 10893], 112),
    ])
    func typeScriptVectors(sizes: [Int], expected: Int) throws {
        #expect(try QuiltV1Codec.computeSymbolSize(blobSizes: sizes, nColumns: 667, nRows: 334, maxIndexColumns: 10) == expected)
    }

    @Test func tooManyAtOneThousandShards() {
        #expect(throws: QuiltError.tooManyBlobs(667, 666)) {
            try QuiltV1Codec.computeSymbolSize(blobSizes: [Int](repeating: 100, count: 668), nColumns: 667, nRows: 334, maxIndexColumns: 10)
        }
    }
}

@Suite struct QuiltLayoutVectorTests {
    /// Quilts at n = 1000 whose djb2 hash and length the TypeScript SDK pins.
    static let cases: [(String, [(Int, Int, String, [(String, String)])], String, Int)] = [
        ("single blob", [(1000, 42, "test-blob", [])], "73b40ec0", 445_556),
        ("multiple blobs", [(500, 1, "blob-a", []), (1000, 2, "blob-b", []), (750, 3, "blob-c", [])], "a5388b02", 445_556),
        ("tags", [(500, 0, "tagged-blob", [("author", "test"), ("version", "1.0")])], "ebe0c7e7", 445_556),
        ("no tags", [(500, 0, "no-tags", [])], "7e091d0b", 445_556),
        ("same input", [(500, 1, "blob-1", []), (500, 2, "blob-2", [])], "60f77634", 445_556),
        ("empty content", [(0, 0, "empty", [])], "37bd7d4a", 445_556),
        ("sorted", [(100, 0, "z-last", []), (100, 0, "a-first", []), (100, 0, "m-middle", [])], "e18dbdb9", 445_556),
        ("size", [(1000, 0, "test", [])], "b931e11f", 445_556),
        ("round trip tags", [(500, 0, "tagged-blob", [("author", "test-author"), ("version", "2.0"), ("category", "images")])], "5bd12362", 445_556),
        ("empty-blob", [(0, 0, "empty-blob", [])], "900c255b", 445_556),
        ("fallback", [(1000, 42, "fallback-test", [])], "9ee04db6", 445_556),
        ("hash single", [(100, 1, "test", [])], "5e618ea5", 445_556),
        ("hash multiple", [(100, 1, "alpha", []), (200, 2, "beta", []), (150, 3, "gamma", [])], "c635a06f", 445_556),
        ("hash tags", [(100, 1, "tagged", [("key", "value"), ("foo", "bar")])], "9ed5d860", 445_556),
        ("images", [(150_000, 1, "image1.jpg", []), (250_000, 2, "image2.png", []), (50_000, 3, "thumb.jpg", [])], "39b32069", 891_112),
        ("mixed", [(1000, 1, "config.json", [("type", "json")]), (100_000, 2, "data.bin", [("type", "binary")]),
                   (5000, 3, "readme.md", [("type", "text")])], "5150bc69", 891_112),
        ("many small", (0..<20).map { i in (100 + i * 10, i, "blob-" + String(repeating: "0", count: 3 - String(i).count) + String(i), []) },
         "39d44e50", 445_556),
    ]

    @Test(arguments: 0..<cases.count)
    func typeScriptSnapshots(_ i: Int) throws {
        let (name, specs, hash, length) = Self.cases[i]
        let blobs = try specs.map { try blob(testBlob($0.0, $0.1), $0.2, QuiltTags($0.3)) }
        let quilt = try Quilt(blobs: blobs, config: EncodingConfig(nShards: 1000))
        #expect(djb2(quilt.data) == hash, "\(name)")
        if name != "mixed" { #expect(quilt.data.count == length, "\(name)") }
        #expect(quilt.data.count % (334 * 667) == 0)
        #expect(try quilt.allBlobs() == blobs.sorted { $0.identifier.utf8.lexicographicallyPrecedes($1.identifier.utf8) })
    }

    /// The TS tests also pin the patch ranges of two of these quilts.
    @Test func typeScriptPatchRanges() throws {
        let config = try EncodingConfig(nShards: 1000)
        let one = try Quilt(blobs: [blob(testBlob(1000, 42), "test-blob")], config: config)
        #expect(one.index.patches.map { [$0.startIndex, $0.endIndex] } == [[1, 3]])
        let three = try Quilt(blobs: [blob(testBlob(500, 1), "blob-a"), blob(testBlob(1000, 2), "blob-b"), blob(testBlob(750, 3), "blob-c")], config: config)
        #expect(three.index.patches.map { [$0.startIndex, $0.endIndex] } == [[1, 2], [2, 4], [4, 6]])
        #expect(three.symbolSize == 2)
    }
}

@Suite struct QuiltPatchIDTests {
    /// TypeScript SDK `encodeQuiltPatchId` snapshots.
    @Test func typeScriptVectors() throws {
        let a = QuiltPatchID(quiltID: blobIDFromInt(12345), internalID: .init(startIndex: 10, endIndex: 20))
        #expect(a.description == "OTAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABCgAUAA")
        let b = QuiltPatchID(quiltID: blobIDFromInt(0xabcdef), internalID: .init(startIndex: 100, endIndex: 500))
        #expect(b.description == "782rAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABZAD0AQ")
        #expect(try QuiltPatchID(parsing: a.description) == a)
        #expect(try QuiltPatchID(parsing: b.description).internalID() == .init(startIndex: 100, endIndex: 500))
        // Version 255 with start = end = 65535 under the all-ones blob ID: parses (FromStr does not
        // look at the patch bytes) but is not a QuiltV1 patch.
        let c = try QuiltPatchID(parsing: "_________________________________________________w")
        #expect(c.bytes == [UInt8](repeating: 0xff, count: 37))
        #expect(throws: QuiltError.other("Invalid quilt version byte: 255")) { try c.internalID() }
    }

    /// A real `store-quilt` result from Walrus's HTTP API docs (n = 1000).
    @Test func walrusDocsStoreQuiltOutput() throws {
        let quiltID = "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKo"
        let first = try QuiltPatchID(parsing: "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKoBAQDQAA")  // another_walrus.jpg
        let second = try QuiltPatchID(parsing: "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKoB0AB7Ag")  // walrus.jpg
        #expect(first.quiltID.base64 == quiltID && second.quiltID.base64 == quiltID)
        #expect(try first.internalID() == .init(startIndex: 1, endIndex: 208))
        #expect(try second.internalID() == .init(startIndex: 208, endIndex: 635))
        #expect(first.description == "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKoBAQDQAA")
        // The same output reports size 1782224 and encodedLength 72040000: a full 334 x 667 matrix
        // of 8-byte symbols, which is what a quilt always is.
        let config = try EncodingConfig(nShards: 1000)
        #expect(config.rows * config.columns * 8 == 1_782_224)
        #expect(try config.encodedBlobLength(blobLength: 1_782_224) == 72_040_000)
        // And the docs' read-quilt example IDs.
        #expect(try QuiltPatchID(parsing: "GRSuRSQ_hLYR9nyo7mlBlS7MLQVSSXRrfPVOxF6n6XcBuQG8AQ").internalID() == .init(startIndex: 441, endIndex: 444))
        #expect(try QuiltPatchID(parsing: "GRSuRSQ_hLYR9nyo7mlBlS7MLQVSSXRrfPVOxF6n6XcBwgHHAQ").internalID() == .init(startIndex: 450, endIndex: 455))
    }

    @Test(arguments: ["", "not base64!", "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKo",  // a bare blob ID: 32 bytes
                      "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKoBAQDQAA==", "6XUOE+Q5/nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKoBAQDQAA",
                      "6XUOE-Q5-nAXHRifN6n9nomVDtHZQbGuAkW3PjlBuKoBAQDQAB"])
    func malformedText(_ text: String) {
        #expect(throws: QuiltError.quiltPatchIdParseError(text)) { try QuiltPatchID(parsing: text) }
    }

    @Test func wrongPatchBytes() throws {
        let id = blobIDFromInt(7)
        // 33..36 bytes or 38: not 5 patch bytes.
        let short = try QuiltPatchID(parsing: Base64URL.encode(id.bytes + [1, 2, 0]))
        #expect(throws: QuiltError.other("QuiltPatchInternalIdV1 requires 5 bytes")) { try short.internalID() }
        let long = try QuiltPatchID(parsing: Base64URL.encode(id.bytes + [1, 2, 0, 3, 0, 9]))
        #expect(throws: QuiltError.other("QuiltPatchInternalIdV1 requires 5 bytes")) { try long.internalID() }
        #expect(throws: QuiltError.quiltVersionMismatch(found: 2, expected: 1)) { try QuiltPatchInternalID(bytes: [2, 1, 0, 2, 0]) }
    }
}

@Suite struct QuiltRoundTripTests {
    /// walrus-core `test_quilt_construct_quilt` inputs: every blob reads back by identifier.
    @Test func walrusConstructCases() throws {
        let t1: QuiltTags = ["tag1": "value1"]
        let cases: [([QuiltBlob], Int)] = [
            ([try blob([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "test-blob-0", t1), try blob([5, 68, 3, 2, 5], "test-blob-1", t1),
              try blob([5, 68, 3, 2, 5, 6, 78, 8], "test-blob-2", t1)], 7),
            ([try blob([5, 68, 3, 2, 5, 6, 78, 8], "test-blob-0", t1), try blob([5, 68, 3, 2, 5], "test-blob-1"),
              try blob([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "test-blob-2", ["tag2": "value2"])], 7),
            ([try blob(Array(1...11), "test-blob-0", ["tag1": "value1", "tag2": "value1"]),
              try blob(Array(1...11), "test-blob-1", ["tag3": "value3", "tag2": "value2"]),
              try blob([5, 68, 3, 2, 5, 6, 78, 8], "test-blob-2", ["tag3": "value1", "tag2": "value3"])], 7),
            ([try blob([5, 68, 3, 2, 5], "test-blob-0"), try blob(Array(1...11), "short"), try blob([5, 68, 3, 2, 5, 6, 78, 8], "test-blob-2")], 7),
            ([try blob([1, 3], "test-blob-0"), try blob([UInt8](repeating: 255, count: 1024), "test-blob-1"), try blob([1, 2, 3], "test-blob-2")], 12),
            ([try blob([9, 8, 7, 6, 5, 4, 3, 2, 1], "test-blob-0")], 7),
        ]
        for (blobs, n) in cases {
            let config = try EncodingConfig(nShards: n)
            let quilt = try Quilt(blobs: blobs, config: config)
            #expect(quilt.index.patches.count == blobs.count)
            for b in blobs {
                #expect(try quilt.blobs(identifiers: [b.identifier]) == [b])
            }
            // Reading the quilt blob back gives the same index.
            #expect(try Quilt(quiltBlob: quilt.data, config: config).index == quilt.index)
            #expect(try quilt.blobs(tag: "tag2", value: "value2").map(\.identifier) == blobs.filter { $0.tags["tag2"] == "value2" }.map(\.identifier))
        }
    }

    /// Random blobs with random tags (seeded), like walrus-core's `test_quilt_encoder_and_decoder`
    /// cases (count, min size, max size, n), plus larger shard counts: encode, then
    /// (1) decode the index from column 0 (fetching more columns if it says so), (2) read each
    /// patch from its own secondary slivers only, (3) decode the whole quilt blob from primary
    /// slivers with the strict check and compare with the constructed quilt.
    @Test(arguments: [(3, 5, 16, 7), (3, 3, 800, 7), (3, 1024, 10240, 7), (1, 10, 1000, 7), (60, 1, 1000, 100),
                      (2, 1, 5, 100), (10, 0, 2, 100), (1, 0, 300, 10), (2, 100, 2000, 10), (6, 1, 50, 10)])
    func encodeAndDecode(count: Int, minSize: Int, maxSize: Int, n: Int) throws {
        var rng = SplitMix(seed: UInt64(count * 1_000_003 + maxSize * 31 + n))
        var blobs: [QuiltBlob] = []
        for i in 0..<count {
            var tags: [(String, String)] = []
            for _ in 0..<rng.int(0...3) { tags.append(("t\(rng.int(0...4))", String(repeating: "v", count: rng.int(0...20)))) }
            blobs.append(try blob(rng.bytes(rng.int(minSize...maxSize)), "blob-\(i)-\(rng.int(0...9999))", QuiltTags(tags)))
        }
        try checkEncodeDecode(blobs: blobs, n: n)
    }

    /// Several shard counts x patch counts 1, 2 and many (many = as many as fit, capped at 60).
    @Test(arguments: [10, 100, 1000], [1, 2, 0])
    func shardAndPatchCounts(n: Int, patches: Int) throws {
        let config = try EncodingConfig(nShards: n)
        let k = patches == 0 ? min(60, config.columns - 1) : patches
        var rng = SplitMix(seed: UInt64(n * 7 + k))
        let blobs = try (0..<k).map { try blob(rng.bytes(rng.int(0...700)), "file-\($0).bin", $0 % 3 == 0 ? ["kind": "x\($0 % 2)"] : .empty) }
        try checkEncodeDecode(blobs: blobs, n: n)
    }

    private func checkEncodeDecode(blobs: [QuiltBlob], n: Int) throws {
        let config = try EncodingConfig(nShards: n)
        let encoded = try QuiltEncoder(config: config).encode(blobs: blobs)
        let quilt = encoded.quilt
        let md = encoded.encoded.metadata
        try md.verify(config: config)
        #expect(md.metadata.unencodedLength == UInt64(config.rows * config.columns * quilt.symbolSize))
        #expect(quilt.data[0] == 1)
        // At n = 1000 the whole-blob re-encodings below cost more than the rest together in a
        // debug build; they run there only with WALRUS_SLOW_TESTS=1.
        let heavy = n < 1000 || Env.slow
        // Blob ID of the quilt blob = ordinary blob ID.
        if heavy { #expect(try BlobEncoder(config: config).computeMetadata(blob: quilt.data).blobID == encoded.quiltID) }

        let secondary: [Int: Sliver] = Dictionary(uniqueKeysWithValues: encoded.encoded.pairs.map { ($0.secondary.index, $0.secondary) })
        #expect(quilt.data.count / quilt.rowSize == config.rows)
        // Column j of the quilt is secondary sliver j.
        for j in [0, config.columns - 1] {
            #expect(try quilt.readColumns(start: j, skip: 0, count: quilt.columnSize) == secondary[j]!.data)
        }

        // (1) Index from slivers.
        var decoder = QuiltDecoder()
        #expect(throws: QuiltError.missingSlivers([0])) { try decoder.decodeIndex() }
        try decoder.add([secondary[0]!])
        do {
            try decoder.decodeIndex()
        } catch {
            guard case .missingSlivers(let cols) = error else { throw error }
            try decoder.add(cols.map { secondary[$0]! })
        }
        #expect(try decoder.decodeIndex() == quilt.index)

        // (2) Every patch from its own slivers, through the reader, counting fetches.
        let reader = QuiltPatchReader(config: config, metadata: md)
        #expect(encoded.patchIDs.count == blobs.count)
        for (patch, id) in zip(quilt.index.patches, encoded.patchIDs) {
            var fetched: [Int] = []
            let read = try reader.read(id) { j in fetched.append(j); return secondary[j] }
            let expected = blobs.first { $0.identifier.utf8.elementsEqual(patch.identifier.utf8) }!
            #expect(read.blob == expected)
            #expect(read.sliversRead == patch.internalID.sliverIndices)
            #expect(fetched == patch.internalID.sliverIndices)
            #expect(fetched.count < n, "a patch read must not fetch the whole quilt")
            if heavy || patch == quilt.index.patches[0] {
                let byName = try reader.read(identifier: patch.identifier) { secondary[$0] }
                #expect(byName.blob == expected)
                #expect(byName.sliversRead.count < n)
            }
        }

        // (3) The whole quilt via the ordinary decoder (strict check, as Walrus's quilt client).
        guard heavy else { return }
        let primaries = encoded.encoded.pairs.prefix(config.rows).map(\.primary)
        let decoded = try BlobDecoder(config: config, metadata: md).decode(slivers: Array(primaries), check: .strict)
        let back = try Quilt(quiltBlob: decoded, config: config)
        #expect(back.data == quilt.data)
        #expect(try back.allBlobs() == quilt.allBlobs())
    }

    @Test func patchReadFetchesFewerSliversThanTheQuilt() throws {
        let config = try EncodingConfig(nShards: 100)
        let blobs = try (0..<5).map { try blob(testBlob(3000 * ($0 + 1), $0), "p\($0)") }
        let encoded = try QuiltEncoder(config: config).encode(blobs: blobs)
        let secondary = Dictionary(uniqueKeysWithValues: encoded.encoded.pairs.map { ($0.secondary.index, $0.secondary) })
        let reader = QuiltPatchReader(config: config, metadata: encoded.encoded.metadata)
        let id = encoded.patchIDs[0]
        let read = try reader.read(id) { secondary[$0] }
        let range = try id.internalID()
        #expect(read.sliversRead.count == Int(range.endIndex - range.startIndex))
        #expect(read.sliversRead.count < config.rows)  // fewer than even a primary decode needs
        #expect(read.blob.data == testBlob(3000, 0))
        // A missing sliver is named; a tampered one fails verification.
        #expect(throws: QuiltError.missingSlivers([Int(range.startIndex)])) {
            try reader.read(id) { $0 == Int(range.startIndex) ? nil : secondary[$0] }
        }
        #expect(throws: QuiltError.encoding(.merkleRootMismatch)) {
            try reader.read(id) { j in
                let s = secondary[j]!
                var d = s.data
                d[0] ^= 1
                return try? Sliver(axis: .secondary, index: j, symbolSize: s.symbolSize, data: d)
            }
        }
        // A patch ID of another quilt is refused.
        let foreign = QuiltPatchID(quiltID: blobIDFromInt(1), internalID: range)
        #expect(throws: QuiltError.self) { try reader.read(foreign) { secondary[$0] } }
    }
}

@Suite struct QuiltErrorTests {
    @Test func duplicateIdentifiers() throws {
        let config = try EncodingConfig(nShards: 10)
        #expect(throws: QuiltError.duplicateIdentifier("same-id")) {
            try Quilt(blobs: [blob([1], "same-id"), blob([2], "other"), blob([3], "same-id")], config: config)
        }
    }

    @Test func tooManyPatches() throws {
        // n = 10: C = 7 columns, one for the index, so at most 6 patches.
        let config = try EncodingConfig(nShards: 10)
        let six = try (0..<6).map { try blob([UInt8($0)], "b\($0)") }
        _ = try Quilt(blobs: six, config: config)
        #expect(throws: QuiltError.tooManyBlobs(7, 6)) {
            try Quilt(blobs: six + [blob([9], "b6")], config: config)
        }
        #expect(QuiltError.tooManyBlobs(7, 6).description == "too many blobs to fit in the quilt: 7 > max number of blobs: 6")
    }

    @Test func tagsTooLarge() throws {
        let config = try EncodingConfig(nShards: 10)
        let big = QuiltTags([("k", String(repeating: "v", count: 70_000))])
        #expect(throws: QuiltError.other("Failed to convert tags size to u16: out of range integral type conversion attempted")) {
            try Quilt(blobs: [blob([1], "a", big)], config: config)
        }
        // Just under the limit works.
        let ok = QuiltTags([("k", String(repeating: "v", count: 65_000))])
        let q = try Quilt(blobs: [blob([1], "a", ok)], config: config)
        #expect(try q.allBlobs()[0].tags == ok)
    }

    @Test func oversizeQuilt() throws {
        // n = 10 holds at most 4 * 7 * 65534 bytes, less the headers.
        let config = try EncodingConfig(nShards: 10)
        #expect(throws: QuiltError.self) { try Quilt(blobs: [blob([UInt8](repeating: 0, count: 2_000_000), "big")], config: config) }
    }

    @Test(arguments: [("", "identifier is empty"), ("trailing ", "identifier contains trailing whitespace: trailing "),
                      ("tab\t", "identifier contains trailing whitespace: tab\t"), ("te\u{8}st", "identifier contains control characters: te\u{8}st"),
                      ("test\u{7f}", "identifier contains control characters: test\u{7f}"), ("test\u{85}x", "identifier contains control characters: test\u{85}x")])
    func invalidIdentifiers(_ id: String, _ message: String) {
        #expect(throws: QuiltError.invalidIdentifier(message)) { try QuiltBlob(data: [], identifier: id) }
    }

    /// Walrus's own doc tests accept these; its prose docs' "must start with an alphanumeric"
    /// and "cannot start with `_`" are not enforced by its code, and the code wins.
    @Test(arguments: ["test", "_test", "-test", ".test", "test blob", "A123", "a", "café", "日本語.txt"])
    func validIdentifiers(_ id: String) throws {
        try validateQuiltIdentifier(id)
        let q = try Quilt(blobs: [blob([1, 2], id)], config: EncodingConfig(nShards: 10))
        #expect(try q.blobs(identifiers: [id]).first?.identifier == id)
    }

    @Test func identifierLengthLimits() throws {
        #expect(throws: QuiltError.invalidIdentifier("identifier too long: 65536")) {
            try QuiltBlob(data: [], identifier: String(repeating: "a", count: 65536))
        }
        // 65535 bytes passes validation but its BCS form (3-byte length) does not fit the header.
        let b = try blob([], String(repeating: "a", count: 65535))
        #expect(throws: QuiltError.invalidIdentifier("identifier size exceeds maximum allowed value: 65535")) {
            try Quilt(blobs: [b], config: EncodingConfig(nShards: 100))
        }
    }

    @Test func missingIdentifier() throws {
        let q = try Quilt(blobs: [blob([1], "a")], config: EncodingConfig(nShards: 10))
        #expect(throws: QuiltError.blobsNotFoundInQuilt(["nope"])) { try q.blobs(identifiers: ["a", "nope"]) }
    }

    @Test func emptyBlobListMakesAnIndexOnlyQuilt() throws {
        // Walrus's encoder accepts no blobs (its CLI refuses an empty list before encoding).
        let q = try Quilt(blobs: [], config: EncodingConfig(nShards: 10))
        #expect(q.index.patches.isEmpty && q.symbolSize == 2)
        #expect(try Quilt(quiltBlob: q.data, config: EncodingConfig(nShards: 10)).index.patches.isEmpty)
    }

    @Test func quiltBlobShape() throws {
        let config = try EncodingConfig(nShards: 10)
        #expect(throws: QuiltError.emptyInput("quilt_blob")) { try Quilt(quiltBlob: [], config: config) }
        #expect(throws: QuiltError.invalidFormatNotAligned("quilt_blob length 29 is not a multiple of n_source_symbols 28")) {
            try Quilt(quiltBlob: [UInt8](repeating: 1, count: 29), config: config)
        }
    }
}

/// The BCS of the index and tags, byte by byte.
@Suite struct QuiltBCSTests {
    @Test func tagsSortByBCSKeyBytes() throws {
        // BTreeMap order is "aa" < "b"; BCS map order compares the serialized keys, whose length
        // prefix puts "b" (01 62) before "aa" (02 61 61).
        let tags: QuiltTags = ["b": "1", "aa": "2"]
        #expect(tags.entries.map(\.key) == ["aa", "b"])
        var w = BCSWriter()
        tags.encode(to: &w)
        #expect(w.bytes == [2, 1, 0x62, 1, 0x31, 2, 0x61, 0x61, 1, 0x32])
        #expect(tags.bcsSize == w.bytes.count)
        var r = BCSReader(w.bytes)
        #expect(try QuiltTags.decode(from: &r) == tags)
        // The BTreeMap order is not canonical BCS and is rejected.
        var bad = BCSReader([2, 2, 0x61, 0x61, 1, 0x32, 1, 0x62, 1, 0x31])
        #expect(throws: BCSError.self) { try QuiltTags.decode(from: &bad) }
    }

    @Test func indexLayout() throws {
        var patch = try QuiltPatch(identifier: "ab", tags: ["k": "v"])
        patch.startIndex = 1
        patch.endIndex = 3
        let index = QuiltIndex(patches: [patch])
        // count, end u16, identifier, tags map; start is not serialized.
        #expect(index.bcsBytes == [1, 3, 0, 2, 0x61, 0x62, 1, 1, 0x6b, 1, 0x76])
        #expect(index.bcsSize == index.bcsBytes.count)
        var back = try QuiltIndex(bcsBytes: index.bcsBytes)
        back.populateStartIndices(firstStart: 1)
        #expect(back == index)
    }

    @Test func quiltStartsWithVersionThenSize() throws {
        // Walrus's code puts the version byte first and the u32 index size after it.
        let q = try Quilt(blobs: [blob([7, 7, 7], "x")], config: EncodingConfig(nShards: 4))
        let head = try q.readColumns(start: 0, skip: 0, count: 5)
        let size = q.index.bcsBytes.count
        #expect(head == [1, UInt8(size), 0, 0, 0])
        let blobHead = try q.readColumns(start: Int(q.index.patches[0].startIndex), skip: 0, count: 11)
        // header: version, length = 2 + 2 (BCS "x") + 3 data, mask 0; id size 2; BCS "x".
        #expect(blobHead == [1, 7, 0, 0, 0, 0, 2, 0, 1, 0x78, 7])
    }
}

/// walrus-core's `test_decode_*` tests: malformed quilt contents give errors, never traps, both
/// for the in-memory quilt and for the sliver decoder. The raw stream is laid into columns of
/// 3 rows x 2-byte symbols, as Walrus's `quilt_v1_from_raw` does.
@Suite struct QuiltMalformedTests {
    static let symbolSize = 2, rows = 3, columnSize = 6

    static func quiltFromRaw(_ raw: [UInt8]) -> Quilt {
        let size = max(columnSize, (raw.count + columnSize - 1) / columnSize * columnSize)
        let columns = size / columnSize
        var data = [UInt8](repeating: 0, count: size)
        QuiltV1Codec.writeColumns(&data, raw, startColumn: 0, skip: 0, rowSize: columns * symbolSize, columnSize: columnSize, symbolSize: symbolSize)
        return Quilt(data: data, rowSize: columns * symbolSize, symbolSize: symbolSize, index: QuiltIndex(patches: []))
    }

    static func decoderFromQuilt(_ q: Quilt) throws -> QuiltDecoder {
        var d = QuiltDecoder()
        let columns = q.rowSize / q.symbolSize
        try d.add((0..<columns).map { try Sliver(axis: .secondary, index: $0, symbolSize: symbolSize, data: q.readColumns(start: $0, skip: 0, count: columnSize)) })
        return d
    }

    static func blobErrors(_ raw: [UInt8]) throws -> [QuiltError] {
        let q = quiltFromRaw(raw)
        let d = try decoderFromQuilt(q)
        var out: [QuiltError] = []
        do { _ = try QuiltV1Codec.decodeBlob(q, startColumn: 0); Issue.record("quilt decoded \(raw)") } catch { out.append(error) }
        do { _ = try QuiltV1Codec.decodeBlob(d, startColumn: 0); Issue.record("decoder decoded \(raw)") } catch { out.append(error) }
        return out
    }

    static func indexErrors(_ raw: [UInt8]) throws -> [QuiltError] {
        let q = quiltFromRaw(raw)
        let d = try decoderFromQuilt(q)
        var out: [QuiltError] = []
        do { _ = try QuiltV1Codec.decodeIndex(q, columnSize: columnSize); Issue.record("quilt decoded index") } catch { out.append(error) }
        do { _ = try QuiltV1Codec.decodeIndex(d, columnSize: columnSize); Issue.record("decoder decoded index") } catch { out.append(error) }
        return out
    }

    static func entry(_ id: String, _ data: [UInt8], _ tags: QuiltTags = .empty) throws -> [UInt8] {
        try QuiltBlob(data: data, identifier: id, tags: tags).headerAndExtensionBytes() + data
    }

    static func isSerDer(_ e: QuiltError) -> Bool { if case .quiltIndexSerDer = e { return true }; return false }
    static func invalidData(_ e: QuiltError, _ needle: String) -> Bool {
        if case .invalidQuiltData(let m) = e { return m.contains(needle) }
        return false
    }

    @Test func indexInvalidVersion() throws {
        // A valid meta blob of an empty index, [1, size 1 as u32, 0x00], with its version corrupted.
        let raw: [UInt8] = [0xff, 1, 0, 0, 0, 0]
        #expect(try Self.indexErrors(raw) == [.quiltVersionMismatch(found: 0xff, expected: 1), .quiltVersionMismatch(found: 0xff, expected: 1)])
        #expect(try Self.indexErrors([]) == [.quiltVersionMismatch(found: 0, expected: 1), .quiltVersionMismatch(found: 0, expected: 1)])
    }

    @Test func indexTruncatedOrMalformed() throws {
        #expect(try Self.indexErrors([1]).allSatisfy(Self.isSerDer))
        #expect(try Self.indexErrors([1, 0, 0]).allSatisfy(Self.isSerDer))
        #expect(try Self.indexErrors([1, 1, 0, 0, 0, 0xff]).allSatisfy(Self.isSerDer))
        let tooLarge = UInt32(Self.columnSize * 10 - 5 + 1)
        let raw: [UInt8] = [1, UInt8(tooLarge), 0, 0, 0, 0]
        #expect(try Self.indexErrors(raw).allSatisfy { Self.invalidData($0, "exceeds maximum") })
        // index_size = 10 but only 8 bytes: the decoder lacks columns, the quilt reads zeros.
        let errors = try Self.indexErrors([1, 10, 0, 0, 0, 0, 0, 0])
        #expect(errors.count == 2)
    }

    @Test func blobInvalidVersion() throws {
        var raw = try Self.entry("test-id", [1, 2, 3])
        raw[0] = 0xff
        #expect(try Self.blobErrors(raw).allSatisfy { Self.invalidData($0, "version") })
    }

    @Test func blobLengthUnderflow() throws {
        var raw = try Self.entry("test-id", [1, 2, 3])
        raw[1] = 0; raw[2] = 0; raw[3] = 0; raw[4] = 0
        #expect(try Self.blobErrors(raw).allSatisfy { Self.invalidData($0, "smaller") })
        var tagged = try Self.entry("test-id", [1, 2, 3], ["k": "v"])
        tagged[1] = UInt8(2 + 8)  // covers the identifier but not the tags
        tagged[2] = 0; tagged[3] = 0; tagged[4] = 0
        #expect(try Self.blobErrors(tagged).allSatisfy { Self.invalidData($0, "smaller") })
    }

    @Test func blobMalformedIdentifierAndTags() throws {
        var raw = try Self.entry("test-id", [1, 2, 3])
        for i in 8..<12 { raw[i] = 0xff }
        #expect(try Self.blobErrors(raw) == [.invalidIdentifier("Failed to deserialize identifier"), .invalidIdentifier("Failed to deserialize identifier")])
        var tagged = try Self.entry("test-id", [UInt8](repeating: 1, count: 20), ["key": "value"])
        let tagsStart = 6 + 2 + 8 + 2
        for i in tagsStart..<(tagsStart + 4) { tagged[i] = 0xff }
        #expect(try Self.blobErrors(tagged).allSatisfy { if case .failedToDecodeExtension("tags", _) = $0 { return true }; return false })
    }

    @Test func blobLengthsBeyondTheData() throws {
        var raw = try Self.entry("test-id", [1, 2, 3])
        raw[1] = 0xe8; raw[2] = 3  // 1000
        #expect(try Self.blobErrors(raw).allSatisfy { Self.invalidData($0, "data source only has") })
        raw[1] = 0xff; raw[2] = 0xff; raw[3] = 0xff; raw[4] = 0xff
        #expect(try Self.blobErrors(raw).allSatisfy { Self.invalidData($0, "data source only has") })
        // Truncations that leave the claimed length beyond the data.
        let full = try Self.entry("test-id", [UInt8](repeating: 1, count: 20), ["k": "v"])
        for cut in [7, 6 + 2 + 8 + 1, 6 + 2 + 8 + 2 + 3] {
            #expect(try Self.blobErrors(Array(full.prefix(cut))).count == 2)
        }
    }

    @Test func decoderColumnSizeMismatch() throws {
        var d = QuiltDecoder()
        try d.add([try Sliver(axis: .secondary, index: 0, symbolSize: 2, data: [UInt8](repeating: 0, count: 100))])
        #expect(throws: QuiltError.columnSizeMismatch(expected: 100, actual: 200)) {
            try d.add([try Sliver(axis: .secondary, index: 1, symbolSize: 2, data: [UInt8](repeating: 0, count: 200))])
        }
    }
}

/// Quilt and patch IDs this port computes for the TS SDK's "multiple blobs" input, whose quilt
/// bytes match the SDK's pinned hash above. These IDs are regression pins computed here, not
/// values from Walrus: no Walrus run was possible. They are the ordinary RS2 blob ID of those
/// bytes, and the RS2 blob ID is held to Walrus's own vectors in `RegressionTests` and
/// `BlobIDFixtures`.
@Suite struct QuiltRegressionPins {
    static func blobs() throws -> [QuiltBlob] {
        [try blob(testBlob(500, 1), "blob-a"), try blob(testBlob(1000, 2), "blob-b"), try blob(testBlob(750, 3), "blob-c")]
    }

    @Test(arguments: [
        (10, "GUy9w-7necr3PeI2FXK-1_7_cbPcA8UMpDaJ42Nucog",
         ["GUy9w-7necr3PeI2FXK-1_7_cbPcA8UMpDaJ42NucogBAQADAA", "GUy9w-7necr3PeI2FXK-1_7_cbPcA8UMpDaJ42NucogBAwAFAA",
          "GUy9w-7necr3PeI2FXK-1_7_cbPcA8UMpDaJ42NucogBBQAHAA"]),
        (1000, "ZInwiUwE1d_n-d4g9KtJG7GqN_ydtfi8U8bF4tMCd5g",
         ["ZInwiUwE1d_n-d4g9KtJG7GqN_ydtfi8U8bF4tMCd5gBAQACAA", "ZInwiUwE1d_n-d4g9KtJG7GqN_ydtfi8U8bF4tMCd5gBAgAEAA",
          "ZInwiUwE1d_n-d4g9KtJG7GqN_ydtfi8U8bF4tMCd5gBBAAGAA"]),
    ])
    func pinned(n: Int, quiltID: String, patchIDs: [String]) throws {
        let (quilt, metadata) = try QuiltEncoder(config: EncodingConfig(nShards: n)).quiltID(blobs: Self.blobs())
        #expect(metadata.blobID.base64 == quiltID)
        #expect(quilt.index.patches.map { QuiltPatchID(quiltID: metadata.blobID, internalID: $0.internalID).description } == patchIDs)
    }
}

/// Corrupted quilts and slivers give typed errors (or other valid data), never a trap.
@Suite struct QuiltFuzzTests {
    @Test func mutatedQuiltBlobs() throws {
        let config = try EncodingConfig(nShards: 10)
        var rng = SplitMix(seed: 0x9017)
        let blobs = try (0..<4).map { try blob(rng.bytes(rng.int(0...300)), "f\($0)", $0 % 2 == 0 ? ["k\($0)": "v"] : .empty) }
        let quilt = try Quilt(blobs: blobs, config: config)
        let columns = config.columns
        var outcomes = [0, 0]
        for round in 0..<(Env.slow ? 20_000 : 2_000) {
            var data = quilt.data
            for _ in 0..<rng.int(1...4) {
                // Mostly the index and headers (the start of each column), sometimes anywhere.
                let i = round % 3 == 0
                    ? rng.int(0...(data.count - 1))
                    : rng.int(0...(config.rows - 1)) * quilt.rowSize + rng.int(0...(columns - 1)) * quilt.symbolSize + rng.int(0...(quilt.symbolSize - 1))
                data[i] = round % 5 == 0 ? 0xff : UInt8(truncatingIfNeeded: rng.next())
            }
            do {
                let q = try Quilt(quiltBlob: data, config: config)
                for p in q.index.patches { _ = try? q.blob(internalID: p.internalID) }
                // The same through the sliver decoder.
                var d = QuiltDecoder()
                try d.add((0..<columns).map { j in
                    try Sliver(axis: .secondary, index: j, symbolSize: q.symbolSize, data: q.readColumns(start: j, skip: 0, count: q.columnSize))
                })
                let index = try d.decodeIndex()
                for p in index.patches { _ = try? d.blob(internalID: p.internalID) }
                outcomes[0] += 1
            } catch {
                outcomes[1] += 1
            }
        }
        #expect(outcomes[0] > 0 && outcomes[1] > 0, "\(outcomes)")
    }

    @Test func arbitraryPatchIDsOnAValidQuilt() throws {
        let config = try EncodingConfig(nShards: 10)
        let encoded = try QuiltEncoder(config: config).encode(blobs: [blob([1, 2, 3], "a"), blob([UInt8](repeating: 9, count: 200), "b")])
        let secondary = Dictionary(uniqueKeysWithValues: encoded.encoded.pairs.map { ($0.secondary.index, $0.secondary) })
        let reader = QuiltPatchReader(config: config, metadata: encoded.encoded.metadata)
        for start in 0...12 {
            for end in 0...12 {
                let id = QuiltPatchID(quiltID: encoded.quiltID, internalID: .init(startIndex: UInt16(start), endIndex: UInt16(end)))
                _ = try? reader.read(id) { secondary[$0] }
            }
        }
        for raw in [[UInt8](), [1], [1, 0xff, 0xff, 0xff, 0xff], [1, 0xff, 0xff, 0, 0]] {
            _ = try? QuiltPatchID(parsing: Base64URL.encode(encoded.quiltID.bytes + raw)).internalID()
        }
    }
}
