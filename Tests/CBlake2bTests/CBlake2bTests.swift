import TestSupport
import CBlake2b
import CSodium
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// libsodium's BLAKE2b-256, the reference.
func sodium(_ message: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    let rc = message.withUnsafeBufferPointer { m in
        crypto_generichash(&out, 32, m.baseAddress, UInt64(m.count), nil, 0)
    }
    precondition(rc == 0)
    return out
}

/// The implementations this CPU can run, best first.
let implementations: [String] = ["avx512", "avx2", "scalar"].filter { cb2_implementation_available($0) == 1 }

/// Runs `body` once per implementation, with that implementation forced.
/// The choice is process-wide, hence the serialized suite below.
func forEachImplementation(_ body: (String) throws -> Void) rethrows {
    defer { _ = cb2_set_implementation("auto") }
    for name in implementations {
        #expect(cb2_set_implementation(name) == 0)
        #expect(String(cString: cb2_implementation()) == name)
        try body(name)
    }
}

/// cb2_hash_many(_prefixed) over `count` messages of `len` bytes at `stride`, checked against
/// libsodium message by message.
func checkBatch(_ rng: inout SplitMix64, len: Int, count: Int, stride: Int, prefix: UInt8?, impl: String) {
    let buffer = rng.bytes(count == 0 ? 0 : (count - 1) * stride + len)
    var out = [UInt8](repeating: 0xAA, count: 32 * count + 32)  // one guard digest at the end
    buffer.withUnsafeBufferPointer { b in
        if let prefix {
            cb2_hash_many_prefixed(prefix, b.baseAddress, stride, len, count, &out)
        } else {
            cb2_hash_many(b.baseAddress, stride, len, count, &out)
        }
    }
    for i in 0..<count {
        var message = Array(buffer[i * stride..<i * stride + len])
        if let prefix { message.insert(prefix, at: 0) }
        let got = Array(out[32 * i..<32 * i + 32])
        #expect(got == sodium(message), "impl \(impl) len \(len) count \(count) stride \(stride) prefix \(String(describing: prefix)) message \(i)")
        if got != sodium(message) { return }
    }
    #expect(out[(32 * count)...].allSatisfy { $0 == 0xAA }, "wrote past the digests: impl \(impl) len \(len) count \(count)")
}

// Serialized: tests force the process-wide implementation choice.
@Suite(.serialized) struct CBlake2bTests {
    @Test func knownVectors() {
        var out = [UInt8](repeating: 0, count: 32)
        cb2_hash(nil, 0, &out)
        #expect(hex(out) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        let abc: [UInt8] = Array("abc".utf8)
        cb2_hash(abc, abc.count, &out)
        #expect(hex(out) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
        // The same through every batch implementation.
        forEachImplementation { impl in
            var outs = [UInt8](repeating: 0, count: 64)
            cb2_hash_many(abc, 3, 3, 1, &outs)
            #expect(hex(outs[0..<32]) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319", "\(impl)")
            cb2_hash_many(nil, 0, 0, 2, &outs)
            #expect(hex(outs[32..<64]) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", "\(impl)")
            // "abc" is prefix "a" followed by "bc".
            let bc: [UInt8] = Array("bc".utf8)
            cb2_hash_many_prefixed(UInt8(ascii: "a"), bc, 2, 2, 1, &outs)
            #expect(hex(outs[0..<32]) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319", "\(impl)")
        }
    }

    @Test func dispatchPicksTheBestAvailable() {
        #expect(cb2_set_implementation("auto") == 0)
        #expect(String(cString: cb2_implementation()) == implementations.first)
        #expect(cb2_set_implementation("sse9") == -1)
        #expect(cb2_implementation_available("scalar") == 1)
        #if arch(x86_64)
        // Every x86_64 machine this project runs on (and its CI) has AVX2; fail loudly if a
        // SIMD path silently stopped being selected.
        #expect(implementations.contains("avx2"))
        #endif
    }

    @Test func singleShotAgreesWithSodium() {
        var rng = SplitMix64(seed: 1)
        for len in Array(0...300) + [511, 512, 513, 1000, 4096, 65535] {
            let message = rng.bytes(len)
            var out = [UInt8](repeating: 0, count: 32)
            cb2_hash(message, len, &out)
            #expect(out == sodium(message), "len \(len)")
        }
    }

    @Test func batchesAgreeWithSodiumOnEveryLength() {
        forEachImplementation { impl in
            var rng = SplitMix64(seed: 2)
            // Every length through two and a bit blocks, with and without prefix (so the prefix
            // crosses block boundaries at 127/128/129), odd counts and a stride gap.
            for len in 0...300 {
                let count = [1, 3, 5, 9, 13][len % 5]
                checkBatch(&rng, len: len, count: count, stride: len + len % 3, prefix: nil, impl: impl)
                checkBatch(&rng, len: len, count: count, stride: len + (len + 1) % 4, prefix: UInt8(len & 0xFF), impl: impl)
            }
            for len in [1000, 4096, 65535] {
                checkBatch(&rng, len: len, count: 9, stride: len + 7, prefix: nil, impl: impl)
                checkBatch(&rng, len: len, count: 5, stride: len, prefix: 0x00, impl: impl)
            }
        }
    }

    @Test func batchesAgreeWithSodiumOnEveryCount() {
        forEachImplementation { impl in
            var rng = SplitMix64(seed: 3)
            for count in 0...37 {
                for len in [0, 2, 31, 64, 65, 127, 128, 152, 200] {
                    let stride = len + rng.below(40)
                    checkBatch(&rng, len: len, count: count, stride: stride, prefix: nil, impl: impl)
                    checkBatch(&rng, len: len, count: count, stride: stride, prefix: 0x00, impl: impl)
                }
            }
            // Overlapping messages (stride below the length, and zero).
            checkBatch(&rng, len: 100, count: 11, stride: 3, prefix: nil, impl: impl)
            checkBatch(&rng, len: 100, count: 11, stride: 0, prefix: 0x07, impl: impl)
        }
    }

    @Test func merkleLevelAgreesWithSodiumAndWorksInPlace() {
        forEachImplementation { impl in
            var rng = SplitMix64(seed: 4)
            for pairs in Array(0...37) + [100, 1023] {
                let nodes = rng.bytes(64 * pairs)
                var expected: [UInt8] = []
                for i in 0..<pairs { expected += sodium([0x01] + nodes[64 * i..<64 * i + 64]) }

                var out = [UInt8](repeating: 0, count: 32 * pairs)
                cb2_merkle_level(nodes, pairs, &out)
                #expect(out == expected, "impl \(impl) pairs \(pairs)")

                var inPlace = nodes
                inPlace.withUnsafeMutableBufferPointer { b in
                    cb2_merkle_level(b.baseAddress, pairs, b.baseAddress)
                }
                #expect(Array(inPlace[0..<32 * pairs]) == expected, "in place: impl \(impl) pairs \(pairs)")
                #expect(inPlace[(32 * pairs)...] == nodes[(32 * pairs)...], "in place wrote past the level")
            }
        }
    }

    @Test func aWholeTreeReducesToTheSameRoot() {
        // A 1000-leaf tree level by level, in place, against one built with libsodium.
        var rng = SplitMix64(seed: 5)
        let symbols = rng.bytes(1024 * 40)
        var reference: [[UInt8]] = (0..<1024).map { sodium([0x00] + symbols[40 * $0..<40 * $0 + 40]) }
        while reference.count > 1 {
            reference = stride(from: 0, to: reference.count, by: 2).map { sodium([0x01] + reference[$0] + reference[$0 + 1]) }
        }
        forEachImplementation { impl in
            var level = [UInt8](repeating: 0, count: 32 * 1024)
            cb2_hash_many_prefixed(0x00, symbols, 40, 40, 1024, &level)
            var pairs = 512
            while pairs >= 1 {
                level.withUnsafeMutableBufferPointer { cb2_merkle_level($0.baseAddress, pairs, $0.baseAddress) }
                pairs /= 2
            }
            #expect(Array(level[0..<32]) == reference[0], "\(impl)")
        }
    }

    @Test func readsOnlyTheMessageBytes() throws {
        // Messages flush against inaccessible pages on both sides: any read before the first
        // message (e.g. of the byte a prefix displaces) or past the last one would crash.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapped = mmap(nil, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let base = try #require(mapped == MAP_FAILED ? nil : mapped)
        defer { munmap(base, 3 * page) }
        #expect(mprotect(base, page, PROT_NONE) == 0)
        #expect(mprotect(base + 2 * page, page, PROT_NONE) == 0)
        let usable = (base + page).bindMemory(to: UInt8.self, capacity: page)
        var rng = SplitMix64(seed: 6)
        for i in 0..<page { usable[i] = UInt8(truncatingIfNeeded: rng.next()) }
        forEachImplementation { impl in
            for len in [0, 1, 2, 7, 8, 31, 63, 64, 65, 127, 128, 129, 152, 200, 300] {
                for count in [1, 3, 8, 9] {
                    let span = (count - 1) * len + len
                    for start in [0, page - span] {
                        let first = usable + start
                        for prefix in [nil, UInt8(0x00)] as [UInt8?] {
                            var out = [UInt8](repeating: 0, count: 32 * count)
                            if let prefix {
                                cb2_hash_many_prefixed(prefix, first, len, len, count, &out)
                            } else {
                                cb2_hash_many(first, len, len, count, &out)
                            }
                            for i in 0..<count {
                                let message = (prefix.map { [$0] } ?? []) + Array(UnsafeBufferPointer(start: first + i * len, count: len))
                                #expect(Array(out[32 * i..<32 * i + 32]) == sodium(message), "impl \(impl) len \(len) count \(count) start \(start)")
                            }
                        }
                    }
                }
            }
        }
    }
}
