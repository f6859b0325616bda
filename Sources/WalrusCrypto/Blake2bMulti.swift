import CBlake2b

extension Blake2b256 {
    /// Messages hashed side by side by the multi-buffer kernel chosen for this CPU: 8 (AVX-512),
    /// 4 (AVX2), or 0 (portable code; `hashStrided` then runs the scalar Swift path).
    public static var simdLanes: Int {
        switch String(cString: cb2_implementation()) {
        case "avx512": 8
        case "avx2": 4
        default: 0
        }
    }

    /// BLAKE2b-256 of `count` equal-length messages: message i is `prefix?` followed by `length`
    /// bytes at `base + i*inStride`; its digest goes to `out + i*outStride`. Results are identical
    /// to `hash(prefix:_:)` on each message; the multi-buffer kernel (CBlake2b: one message per
    /// 64-bit lane) is used when the CPU has one and `simd` is true.
    ///
    /// In-place use is allowed when each output lies at or before its own input and never beyond
    /// the inputs of later items (e.g. a Merkle level reduced into itself: inStride 64,
    /// outStride 32, out == base).
    public static func hashStrided(base: UnsafeRawPointer, inStride: Int, count: Int, length: Int, prefix: UInt8?,
                                   out: UnsafeMutableRawPointer, outStride: Int, simd: Bool = true) {
        guard count > 0 else { return }
        guard simd && simdLanes > 0 else {
            for i in 0..<count {
                let d = hashImpl(prefix: prefix, UnsafeRawBufferPointer(start: base + i * inStride, count: length))
                d.store(to: out + i * outStride)
            }
            return
        }
        let input = base.assumingMemoryBound(to: UInt8.self)
        // A Merkle level (0x01 || left || right, pairs side by side): CBlake2b reduces it in place.
        if prefix == 1, length == 64, inStride == 64, outStride == 32 {
            cb2_merkle_level(input, count, out.assumingMemoryBound(to: UInt8.self))
            return
        }
        let inputEnd = base + (count - 1) * inStride + length
        let overlaps = UnsafeRawPointer(out) < inputEnd && base < UnsafeRawPointer(out + (count - 1) * outStride + 32)
        if outStride == 32 && !overlaps {
            hashMany(input, inStride, length, count, prefix, out.assumingMemoryBound(to: UInt8.self))
            return
        }
        // Other layouts (column-major outputs, overlapping buffers): hash into a contiguous
        // scratch buffer, then scatter; the copy is tiny next to the hashing.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count * 32) { scratch in
            let base = scratch.baseAddress!
            hashMany(input, inStride, length, count, prefix, base)
            for i in 0..<count { (out + i * outStride).copyMemory(from: base + i * 32, byteCount: 32) }
        }
    }

    private static func hashMany(_ input: UnsafePointer<UInt8>, _ stride: Int, _ length: Int, _ count: Int, _ prefix: UInt8?,
                                 _ out: UnsafeMutablePointer<UInt8>) {
        if let prefix {
            cb2_hash_many_prefixed(prefix, input, stride, length, count, out)
        } else {
            cb2_hash_many(input, stride, length, count, out)
        }
    }
}
