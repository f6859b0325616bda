// The reference engine: the spec written out plainly, one element at a time (spec §9.3-9.4).
// It is slow on purpose and exists to hold the fast engine to account.

/// A work array of plain `UInt16` elements: shard `s` is `elements[s * width ..< (s + 1) * width]`.
struct ReferenceWork: LeopardWork {
    let shardCount: Int
    /// Elements per shard.
    let width: Int
    private(set) var elements: [UInt16]
    private let tables = GFTables.shared

    /// A zeroed array of `shardCount` shards of `width` elements each.
    init(shardCount: Int, width: Int) {
        self.shardCount = shardCount
        self.width = width
        elements = [UInt16](repeating: 0, count: shardCount * width)
    }

    mutating func load(shard: Int, from row: UnsafeRawBufferPointer, symbolBytes: Int) {
        let elementsPerSymbol = symbolBytes / 2
        for symbol in 0..<(row.count / symbolBytes) {
            let base = symbol * symbolBytes
            for e in 0..<elementsPerSymbol {
                let (low, high) = ShardLayout.byteOffsets(element: e, symbolBytes: symbolBytes)
                elements[shard * width + symbol * elementsPerSymbol + e] =
                    UInt16(row[base + low]) | UInt16(row[base + high]) << 8
            }
        }
    }

    func store(shard: Int, to row: UnsafeMutableRawBufferPointer, symbolBytes: Int) {
        let elementsPerSymbol = symbolBytes / 2
        for symbol in 0..<(row.count / symbolBytes) {
            let base = symbol * symbolBytes
            for e in 0..<elementsPerSymbol {
                let (low, high) = ShardLayout.byteOffsets(element: e, symbolBytes: symbolBytes)
                let value = elements[shard * width + symbol * elementsPerSymbol + e]
                row[base + low] = UInt8(truncatingIfNeeded: value)
                row[base + high] = UInt8(truncatingIfNeeded: value >> 8)
            }
        }
    }

    mutating func zero(_ shards: Range<Int>) {
        for i in (shards.lowerBound * width)..<(shards.upperBound * width) { elements[i] = 0 }
    }

    mutating func copy(from: Int, to: Int, count: Int) {
        for i in 0..<(count * width) { elements[to * width + i] = elements[from * width + i] }
    }

    mutating func xor(from: Int, into: Int, count: Int) {
        for i in 0..<(count * width) { elements[into * width + i] ^= elements[from * width + i] }
    }

    mutating func mul(shard: Int, logFactor: UInt16) {
        for i in (shard * width)..<((shard + 1) * width) {
            elements[i] = tables.mul(elements[i], logFactor: logFactor)
        }
    }

    /// Decimation in time: `a ^= b * skew; b ^= a`, from the widest butterflies down.
    mutating func fft(pos: Int, size: Int, truncated: Int, skewDelta: Int) {
        var dist = size / 2
        while dist > 0 {
            var r = 0
            while r < truncated {
                let logFactor = tables.skew[r + dist + skewDelta - 1]
                for i in r..<(r + dist) {
                    let a = (pos + i) * width, b = (pos + i + dist) * width
                    for e in 0..<width {
                        if logFactor != GF.modulus {
                            elements[a + e] ^= tables.mul(elements[b + e], logFactor: logFactor)
                        }
                        elements[b + e] ^= elements[a + e]
                    }
                }
                r += 2 * dist
            }
            dist /= 2
        }
    }

    /// The inverse: `b ^= a; a ^= b * skew`, from the narrowest butterflies up.
    mutating func ifft(pos: Int, size: Int, truncated: Int, skewDelta: Int) {
        var dist = 1
        while dist < size {
            var r = 0
            while r < truncated {
                let logFactor = tables.skew[r + dist + skewDelta - 1]
                for i in r..<(r + dist) {
                    let a = (pos + i) * width, b = (pos + i + dist) * width
                    for e in 0..<width {
                        elements[b + e] ^= elements[a + e]
                        if logFactor != GF.modulus {
                            elements[a + e] ^= tables.mul(elements[b + e], logFactor: logFactor)
                        }
                    }
                }
                r += 2 * dist
            }
            dist *= 2
        }
    }
}
