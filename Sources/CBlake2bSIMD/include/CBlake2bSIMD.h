#ifndef CBLAKE2B_SIMD_H
#define CBLAKE2B_SIMD_H

#include <stddef.h>
#include <stdint.h>

/// Number of messages hashed side by side by the best kernel this CPU supports: 8 (AVX-512),
/// 4 (AVX2), or 0 when neither is available (callers then use the scalar path).
int wb2b_lanes(void);

/// Multi-buffer BLAKE2b-256 (unkeyed, 32-byte digest) of `count` messages of `len` bytes each.
/// Message i is `prefix` (one byte, omitted when prefix < 0) followed by the `len` bytes at
/// `base + i * in_stride`; its digest is written to `out + i * out_stride`.
/// Messages are processed in groups whose inputs are copied before their outputs are written,
/// so the call may run in place when out + i * out_stride never lies beyond the inputs of a
/// later item (e.g. a Merkle level reduced into itself: in_stride 64, out_stride 32).
/// Requires wb2b_lanes() > 0.
void wb2b_hash_strided(const uint8_t *base, size_t in_stride, size_t count, size_t len, int prefix,
                       uint8_t *out, size_t out_stride);

#endif
