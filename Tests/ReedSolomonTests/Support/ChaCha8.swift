/// ChaCha with 8 rounds as `rand_chacha` 0.3's `ChaCha8Rng::from_seed` uses it: key = the 32-byte
/// seed, 64-bit block counter from 0 in words 12-13, stream (nonce) 0 in words 14-15, keystream
/// read as little-endian `UInt32` words. `fill(_:)` matches rand's `fill_bytes`: it consumes whole
/// words, so a call whose length is not a multiple of 4 discards the rest of its last word.
struct ChaCha8 {
    private var key: [UInt32]
    private var counter: UInt64 = 0
    private var block: [UInt32] = []
    private var wordIndex = 16

    init(seed: [UInt8]) {
        precondition(seed.count == 32)
        key = (0..<8).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(seed[4 * i + $1]) << (8 * UInt32($1)) }
        }
    }

    /// rand_chacha's `ChaCha8Rng::from_seed([seed; 32])`.
    init(repeatedByte seed: UInt8) { self.init(seed: [UInt8](repeating: seed, count: 32)) }

    mutating func nextWord() -> UInt32 {
        if wordIndex == 16 { refill() }
        defer { wordIndex += 1 }
        return block[wordIndex]
    }

    mutating func fill(_ bytes: inout [UInt8]) {
        var i = 0
        while i < bytes.count {
            let word = nextWord()
            for j in 0..<min(4, bytes.count - i) { bytes[i + j] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(j))) }
            i += 4
        }
    }

    private mutating func refill() {
        let input: [UInt32] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574] + key
            + [UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), 0, 0]
        var x = input
        func quarter(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
            x[a] &+= x[b]; x[d] ^= x[a]; x[d] = x[d] << 16 | x[d] >> 16
            x[c] &+= x[d]; x[b] ^= x[c]; x[b] = x[b] << 12 | x[b] >> 20
            x[a] &+= x[b]; x[d] ^= x[a]; x[d] = x[d] << 8 | x[d] >> 24
            x[c] &+= x[d]; x[b] ^= x[c]; x[b] = x[b] << 7 | x[b] >> 25
        }
        for _ in 0..<4 {  // 8 rounds = 4 double rounds
            quarter(0, 4, 8, 12); quarter(1, 5, 9, 13); quarter(2, 6, 10, 14); quarter(3, 7, 11, 15)
            quarter(0, 5, 10, 15); quarter(1, 6, 11, 12); quarter(2, 7, 8, 13); quarter(3, 4, 9, 14)
        }
        block = (0..<16).map { x[$0] &+ input[$0] }
        counter &+= 1
        wordIndex = 0
    }
}

/// Upstream's `generate_original`: `count` shards of `shardBytes` bytes, filled in order.
func upstreamOriginals(count: Int, shardBytes: Int, seed: UInt8) -> [[UInt8]] {
    var rng = ChaCha8(repeatedByte: seed)
    return (0..<count).map { _ in
        var shard = [UInt8](repeating: 0, count: shardBytes)
        rng.fill(&shard)
        return shard
    }
}
