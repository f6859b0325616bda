import CBlake2bSIMD

extension Blake2b256 {
    /// Messages hashed side by side by the SIMD kernel on this CPU: 8 (AVX-512), 4 (AVX2), or 0
    /// (no SIMD kernel; `hashStrided` then runs the scalar Swift path).
    public static var simdLanes: Int { Int(wb2b_lanes()) }

    /// BLAKE2b-256 of `count` equal-length messages: message i is `prefix?` followed by `length`
    /// bytes at `base + i*inStride`; its digest goes to `out + i*outStride`. Results are identical
    /// to `hash(prefix:_:)` on each message; the SIMD kernel (multi-buffer, one message per
    /// 64-bit lane) is used when available and `simd` is true.
    ///
    /// In-place use is allowed when each output lies at or before its own input and never beyond
    /// the inputs of later items (e.g. a Merkle level reduced into itself: inStride 64,
    /// outStride 32, out == base).
    @inlinable
    public static func hashStrided(base: UnsafeRawPointer, inStride: Int, count: Int, length: Int, prefix: UInt8?,
                                   out: UnsafeMutableRawPointer, outStride: Int, simd: Bool = true) {
        guard count > 0 else { return }
        if simd && simdLanes > 0 {
            wb2b_hash_strided(base.assumingMemoryBound(to: UInt8.self), inStride, count, length,
                              prefix.map { Int32($0) } ?? -1, out.assumingMemoryBound(to: UInt8.self), outStride)
            return
        }
        for i in 0..<count {
            let d = hashImpl(prefix: prefix, UnsafeRawBufferPointer(start: base + i * inStride, count: length))
            d.store(to: out + i * outStride)
        }
    }
}
