// Tables, layout conversion, dispatch and the portable scalar kernel.
#include "CReedSolomonSIMD.h"
#include "rs_internal.h"

#include <string.h>

// ---- CPU features --------------------------------------------------------------------------

int rs_kernel_supported(rs_kernel kernel) {
    switch (kernel) {
    case RS_KERNEL_SCALAR: return 1;
#if defined(__x86_64__) || defined(__i386__)
    case RS_KERNEL_AVX2: return __builtin_cpu_supports("avx2");
    case RS_KERNEL_GFNI: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("gfni");
    case RS_KERNEL_GFNI512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("gfni");
#endif
    default: return 0;
    }
}

rs_kernel rs_best_kernel(void) {
    if (rs_kernel_supported(RS_KERNEL_GFNI512)) return RS_KERNEL_GFNI512;
    if (rs_kernel_supported(RS_KERNEL_GFNI)) return RS_KERNEL_GFNI;
    if (rs_kernel_supported(RS_KERNEL_AVX2)) return RS_KERNEL_AVX2;
    return RS_KERNEL_SCALAR;
}

// A kernel the CPU cannot run falls back to scalar, so a bad argument never faults.
static rs_kernel usable(rs_kernel kernel) {
    return rs_kernel_supported(kernel) ? kernel : RS_KERNEL_SCALAR;
}

// ---- Tables --------------------------------------------------------------------------------

static uint16_t gf_mul(uint16_t x, uint16_t log_factor, const uint16_t *exp, const uint16_t *log) {
    if (x == 0) return 0;
    uint32_t sum = (uint32_t)log[x] + log_factor;
    return exp[(uint16_t)(sum + (sum >> 16))];
}

void rs_build_mul_tables(const uint16_t *exp, const uint16_t *log, uint8_t *tables) {
    for (uint32_t m = 0; m < 65536; m++) {
        uint8_t *t = tables + (size_t)m * RS_MUL_TABLE_BYTES_PER_FACTOR;
        // Nibble tables: the product is linear, so it is the XOR of the four nibbles' products.
        for (int i = 0; i < 4; i++) {
            for (int x = 0; x < 16; x++) {
                uint16_t p = gf_mul((uint16_t)(x << (4 * i)), (uint16_t)m, exp, log);
                t[16 * i + x] = (uint8_t)p;
                t[64 + 16 * i + x] = (uint8_t)(p >> 8);
            }
        }
        // GFNI matrices: output bit i of a byte is the parity of (matrix byte 7-i) & input.
        uint16_t from_low[8], from_high[8];
        for (int j = 0; j < 8; j++) {
            from_low[j] = gf_mul((uint16_t)(1u << j), (uint16_t)m, exp, log);
            from_high[j] = gf_mul((uint16_t)(1u << (j + 8)), (uint16_t)m, exp, log);
        }
        uint8_t *matrices = t + 128;  // low->low, high->low, low->high, high->high
        for (int i = 0; i < 8; i++) {
            uint8_t ll = 0, hl = 0, lh = 0, hh = 0;
            for (int j = 0; j < 8; j++) {
                ll |= (uint8_t)(((from_low[j] >> i) & 1) << j);
                hl |= (uint8_t)(((from_high[j] >> i) & 1) << j);
                lh |= (uint8_t)(((from_low[j] >> (8 + i)) & 1) << j);
                hh |= (uint8_t)(((from_high[j] >> (8 + i)) & 1) << j);
            }
            matrices[0 + 7 - i] = ll;
            matrices[8 + 7 - i] = hl;
            matrices[16 + 7 - i] = lh;
            matrices[24 + 7 - i] = hh;
        }
    }
}

// ---- Walsh-Hadamard transform (decoder only) ----------------------------------------------

static inline uint16_t add_mod(uint16_t x, uint16_t y) {
    uint32_t sum = (uint32_t)x + y;
    return (uint16_t)(sum + (sum >> 16));
}

static inline uint16_t sub_mod(uint16_t x, uint16_t y) {
    uint32_t difference = (uint32_t)x - y;
    return (uint16_t)(difference + (difference >> 16));
}

void rs_fwht(uint16_t *x, size_t truncated) {
    for (size_t dist = 1, dist4 = 4; dist4 <= 65536; dist = dist4, dist4 <<= 2) {
        for (size_t r = 0; r < truncated; r += dist4) {
            for (size_t i0 = r; i0 < r + dist; i0++) {
                size_t i1 = i0 + dist, i2 = i1 + dist, i3 = i2 + dist;
                uint16_t s0 = add_mod(x[i0], x[i1]), d0 = sub_mod(x[i0], x[i1]);
                uint16_t s1 = add_mod(x[i2], x[i3]), d1 = sub_mod(x[i2], x[i3]);
                x[i0] = add_mod(s0, s1);
                x[i1] = add_mod(d0, d1);
                x[i2] = sub_mod(s0, s1);
                x[i3] = sub_mod(d0, d1);
            }
        }
    }
}

void rs_eval_locator(uint16_t *erasures, size_t truncated, const uint16_t *log_walsh) {
    rs_fwht(erasures, truncated);
    for (size_t i = 0; i < 65536; i++) {
        uint32_t product = (uint32_t)erasures[i] * log_walsh[i];
        erasures[i] = add_mod((uint16_t)product, (uint16_t)(product >> 16));
    }
    rs_fwht(erasures, 65536);
}

// ---- Layout --------------------------------------------------------------------------------

// Element order inside a shard is the engine's choice, since every element position is its own
// codeword: all that matters is that every shard uses the same order and that unpacking inverts
// packing. For a row of symbols whose size is not a multiple of 64 the order is: first each
// symbol's whole 64-byte blocks, copied as chunks unchanged (their layout is already the chunk
// layout), then the half-block tails of all symbols, one after another. The tails go through two
// contiguous staging planes (all low bytes, all high bytes) so that every copy has a fixed size
// the compiler inlines: a tail is copied as 32 bytes when the buffers have room (the excess lands
// where the next copy overwrites it, or in the planes' 32-byte slack) instead of one small memcpy
// call per run, which cost more than the transform itself for 6-byte symbols.

#define COPY32(dst, src) memcpy((dst), (src), 32)
#define COPY64(dst, src) memcpy((dst), (src), 64)

static inline void copy_small(uint8_t *dst, const uint8_t *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

void rs_pack_row(uint8_t *shard, const uint8_t *row, size_t symbol_bytes, size_t symbol_count,
                 uint8_t *staging) {
    if (symbol_bytes % 64 == 0) {  // whole chunks: the layouts coincide
        memcpy(shard, row, symbol_bytes * symbol_count);
        return;
    }
    size_t full = symbol_bytes / 64, half_tail = (symbol_bytes % 64) / 2;
    for (size_t s = 0; s < symbol_count; s++) {
        for (size_t b = 0; b < full; b++) COPY64(shard + 64 * (s * full + b), row + s * symbol_bytes + 64 * b);
    }
    uint8_t *tails = shard + 64 * full * symbol_count;
    size_t padded = (half_tail * symbol_count + 31) / 32 * 32;
    uint8_t *lo = staging, *hi = staging + padded + 32;
    const uint8_t *end = row + symbol_bytes * symbol_count;
    for (size_t s = 0, x = 0; s < symbol_count; s++, x += half_tail) {
        const uint8_t *tail_lo = row + s * symbol_bytes + 64 * full, *tail_hi = tail_lo + half_tail;
        if (end - tail_hi >= 32) {  // over-read stays inside the row
            COPY32(lo + x, tail_lo);
            COPY32(hi + x, tail_hi);
        } else {
            copy_small(lo + x, tail_lo, half_tail);
            copy_small(hi + x, tail_hi, half_tail);
        }
    }
    for (size_t c = 0; c < padded / 32; c++) {
        COPY32(tails + 64 * c, lo + 32 * c);
        COPY32(tails + 64 * c + 32, hi + 32 * c);
    }
}

void rs_unpack_row(uint8_t *row, const uint8_t *shard, size_t symbol_bytes, size_t symbol_count,
                   uint8_t *staging) {
    if (symbol_bytes % 64 == 0) {
        memcpy(row, shard, symbol_bytes * symbol_count);
        return;
    }
    size_t full = symbol_bytes / 64, half_tail = (symbol_bytes % 64) / 2;
    const uint8_t *tails = shard + 64 * full * symbol_count;
    size_t padded = (half_tail * symbol_count + 31) / 32 * 32;
    uint8_t *lo = staging, *hi = staging + padded + 32;
    for (size_t c = 0; c < padded / 32; c++) {
        COPY32(lo + 32 * c, tails + 64 * c);
        COPY32(hi + 32 * c, tails + 64 * c + 32);
    }
    const uint8_t *end = row + symbol_bytes * symbol_count;
    for (size_t s = 0, x = 0; s < symbol_count; s++, x += half_tail) {
        uint8_t *tail_lo = row + s * symbol_bytes + 64 * full, *tail_hi = tail_lo + half_tail;
        if (end - tail_hi >= 32) {  // over-writes land on bytes written later (high half, next symbol)
            COPY32(tail_lo, lo + x);
            COPY32(tail_hi, hi + x);
        } else {
            copy_small(tail_lo, lo + x, half_tail);
            copy_small(tail_hi, hi + x, half_tail);
        }
    }
    // Whole blocks last: a tail's over-write may reach into the next symbol's first block.
    for (size_t s = 0; s < symbol_count; s++) {
        for (size_t b = 0; b < full; b++) COPY64(row + s * symbol_bytes + 64 * b, shard + 64 * (s * full + b));
    }
}

void rs_xor(uint8_t *restrict x, const uint8_t *restrict y, size_t bytes) {
    // A plain byte loop: at -O3 compilers vectorise it, and it has no alignment requirements.
    for (size_t i = 0; i < bytes; i++) x[i] ^= y[i];
}

// ---- Scalar kernel -------------------------------------------------------------------------

static inline void scalar_mul_add(uint8_t *a, const uint8_t *b, size_t bytes, const uint8_t *t) {
    for (size_t c = 0; c < bytes; c += 64) {
        for (int i = 0; i < 32; i++) {
            uint8_t lo = b[c + i], hi = b[c + 32 + i];
            a[c + i] ^= t[lo & 15] ^ t[16 + (lo >> 4)] ^ t[32 + (hi & 15)] ^ t[48 + (hi >> 4)];
            a[c + 32 + i] ^= t[64 + (lo & 15)] ^ t[80 + (lo >> 4)] ^ t[96 + (hi & 15)] ^ t[112 + (hi >> 4)];
        }
    }
}

static void scalar_fft(uint8_t *const *shards, size_t sb, size_t pos, size_t src_pos, size_t size,
                       size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    if (src_pos != pos) {  // the portable kernel keeps it simple: copy, then transform in place
        for (size_t i = 0; i < size; i++) memcpy(shards[pos + i], shards[src_pos + i], sb);
    }
    for (size_t dist = size / 2; dist > 0; dist /= 2) {
        for (size_t r = 0; r < truncated; r += 2 * dist) {
            uint16_t m = skew[r + dist + skew_delta - 1];
            for (size_t i = r; i < r + dist; i++) {
                uint8_t *a = shards[pos + i], *b = shards[pos + i + dist];
                if (m != 65535) scalar_mul_add(a, b, sb, RS_TABLE(tables, m));
                rs_xor(b, a, sb);
            }
        }
    }
}

static void scalar_ifft(uint8_t *const *shards, size_t sb, size_t pos, size_t size, size_t truncated,
                        size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    for (size_t dist = 1; dist < size; dist *= 2) {
        for (size_t r = 0; r < truncated; r += 2 * dist) {
            uint16_t m = skew[r + dist + skew_delta - 1];
            for (size_t i = r; i < r + dist; i++) {
                uint8_t *a = shards[pos + i], *b = shards[pos + i + dist];
                rs_xor(b, a, sb);
                if (m != 65535) scalar_mul_add(a, b, sb, RS_TABLE(tables, m));
            }
        }
    }
}

static void scalar_mul(uint8_t *x, size_t bytes, const uint8_t *t) {
    for (size_t c = 0; c < bytes; c += 64) {
        for (int i = 0; i < 32; i++) {
            uint8_t lo = x[c + i], hi = x[c + 32 + i];
            x[c + i] = t[lo & 15] ^ t[16 + (lo >> 4)] ^ t[32 + (hi & 15)] ^ t[48 + (hi >> 4)];
            x[c + 32 + i] = t[64 + (lo & 15)] ^ t[80 + (lo >> 4)] ^ t[96 + (hi & 15)] ^ t[112 + (hi >> 4)];
        }
    }
}

// ---- Dispatch ------------------------------------------------------------------------------

void rs_fft(rs_kernel kernel, uint8_t *const *shards, size_t shard_bytes, size_t pos, size_t src_pos,
            size_t size, size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    if (size == 1) {  // no butterflies, only the move
        if (src_pos != pos) memcpy(shards[pos], shards[src_pos], shard_bytes);
        return;
    }
    switch (usable(kernel)) {
#if defined(__x86_64__)
    case RS_KERNEL_GFNI512: rs_gfni512_fft(shards, shard_bytes, pos, src_pos, size, truncated, skew_delta, skew, tables); return;
    case RS_KERNEL_GFNI: rs_gfni_fft(shards, shard_bytes, pos, src_pos, size, truncated, skew_delta, skew, tables); return;
    case RS_KERNEL_AVX2: rs_avx2_fft(shards, shard_bytes, pos, src_pos, size, truncated, skew_delta, skew, tables); return;
#endif
    default: scalar_fft(shards, shard_bytes, pos, src_pos, size, truncated, skew_delta, skew, tables); return;
    }
}

void rs_ifft(rs_kernel kernel, uint8_t *const *shards, size_t shard_bytes, size_t pos, size_t size,
             size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    switch (usable(kernel)) {
#if defined(__x86_64__)
    case RS_KERNEL_GFNI512: rs_gfni512_ifft(shards, shard_bytes, pos, size, truncated, skew_delta, skew, tables); return;
    case RS_KERNEL_GFNI: rs_gfni_ifft(shards, shard_bytes, pos, size, truncated, skew_delta, skew, tables); return;
    case RS_KERNEL_AVX2: rs_avx2_ifft(shards, shard_bytes, pos, size, truncated, skew_delta, skew, tables); return;
#endif
    default: scalar_ifft(shards, shard_bytes, pos, size, truncated, skew_delta, skew, tables); return;
    }
}

void rs_mul(rs_kernel kernel, uint8_t *x, size_t bytes, uint16_t log_factor, const uint8_t *tables) {
    switch (usable(kernel)) {
#if defined(__x86_64__)
    case RS_KERNEL_GFNI512: rs_gfni512_mul(x, bytes, RS_TABLE(tables, log_factor)); return;
    case RS_KERNEL_GFNI: rs_gfni_mul(x, bytes, RS_TABLE(tables, log_factor)); return;
    case RS_KERNEL_AVX2: rs_avx2_mul(x, bytes, RS_TABLE(tables, log_factor)); return;
#endif
    default: scalar_mul(x, bytes, RS_TABLE(tables, log_factor)); return;
    }
}
