// x86 vector kernels: AVX2 nibble tables (pshufb), AVX2 + GFNI bit matrices, and AVX-512 + GFNI
// with one whole chunk per register. Each is compiled for its own target with function
// attributes, so the file builds with baseline flags and the dispatcher in rs_common.c only calls
// a kernel the CPU supports.
#if defined(__x86_64__)
#include "CReedSolomonSIMD.h"
#include "rs_internal.h"

#include <immintrin.h>

// ---- Two-register chunks (AVX2): the low plane and the high plane -----------------------------

#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)

typedef struct { __m256i lo, hi; } ymm_chunk;

static inline ymm_chunk ymm_chunk_load(const uint8_t *p) {
    ymm_chunk v = {_mm256_loadu_si256((const __m256i *)p), _mm256_loadu_si256((const __m256i *)(p + 32))};
    return v;
}

static inline void ymm_chunk_store(uint8_t *p, ymm_chunk v) {
    _mm256_storeu_si256((__m256i *)p, v.lo);
    _mm256_storeu_si256((__m256i *)(p + 32), v.hi);
}

static inline ymm_chunk ymm_chunk_xor(ymm_chunk a, ymm_chunk b) {
    ymm_chunk v = {_mm256_xor_si256(a.lo, b.lo), _mm256_xor_si256(a.hi, b.hi)};
    return v;
}

// ---- AVX2: products of four nibbles, looked up 32 at a time with pshufb ---------------------

typedef struct { __m256i low[4], high[4]; } avx2_lut;

static inline avx2_lut avx2_lut_load(const uint8_t *t) {
    avx2_lut L;
    for (int i = 0; i < 4; i++) {
        L.low[i] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 16 * i)));
        L.high[i] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 64 + 16 * i)));
    }
    return L;
}

static inline ymm_chunk avx2_chunk_mul(ymm_chunk v, avx2_lut L) {
    const __m256i mask = _mm256_set1_epi8(0x0f);
    __m256i n0 = _mm256_and_si256(v.lo, mask), n1 = _mm256_and_si256(_mm256_srli_epi16(v.lo, 4), mask);
    __m256i n2 = _mm256_and_si256(v.hi, mask), n3 = _mm256_and_si256(_mm256_srli_epi16(v.hi, 4), mask);
    ymm_chunk p = {
        _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi8(L.low[0], n0), _mm256_shuffle_epi8(L.low[1], n1)),
                         _mm256_xor_si256(_mm256_shuffle_epi8(L.low[2], n2), _mm256_shuffle_epi8(L.low[3], n3))),
        _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi8(L.high[0], n0), _mm256_shuffle_epi8(L.high[1], n1)),
                         _mm256_xor_si256(_mm256_shuffle_epi8(L.high[2], n2), _mm256_shuffle_epi8(L.high[3], n3))),
    };
    return p;
}

#define KERNEL(name) avx2_##name
#define chunk_t ymm_chunk
#define chunk_load ymm_chunk_load
#define chunk_store ymm_chunk_store
#define chunk_xor ymm_chunk_xor
#define lut_t avx2_lut
#define lut_load avx2_lut_load
#define chunk_mul avx2_chunk_mul
#include "rs_vector_kernel.inc"
#undef KERNEL
#undef lut_t
#undef lut_load
#undef chunk_mul

RS_KERNEL_ENTRY_POINTS(avx2)

#pragma clang attribute pop

// ---- GFNI on AVX2: low' = A·low ^ B·high, high' = C·low ^ D·high (8x8 GF(2) matrices) -------

#pragma clang attribute push(__attribute__((target("avx2,gfni"))), apply_to = function)

typedef struct { __m256i ll, hl, lh, hh; } gfni_lut;

static inline gfni_lut gfni_lut_load(const uint8_t *t) {
    const long long *m = (const long long *)(t + 128);
    gfni_lut L = {_mm256_set1_epi64x(m[0]), _mm256_set1_epi64x(m[1]), _mm256_set1_epi64x(m[2]),
                  _mm256_set1_epi64x(m[3])};
    return L;
}

static inline ymm_chunk gfni_chunk_mul(ymm_chunk v, gfni_lut L) {
    ymm_chunk p = {
        _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8(v.lo, L.ll, 0), _mm256_gf2p8affine_epi64_epi8(v.hi, L.hl, 0)),
        _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8(v.lo, L.lh, 0), _mm256_gf2p8affine_epi64_epi8(v.hi, L.hh, 0)),
    };
    return p;
}

#define KERNEL(name) gfni_##name
#define lut_t gfni_lut
#define lut_load gfni_lut_load
#define chunk_mul gfni_chunk_mul
#include "rs_vector_kernel.inc"
#undef KERNEL
#undef chunk_t
#undef chunk_load
#undef chunk_store
#undef chunk_xor
#undef lut_t
#undef lut_load
#undef chunk_mul

RS_KERNEL_ENTRY_POINTS(gfni)

#pragma clang attribute pop

// ---- GFNI on AVX-512: a whole chunk [low | high] per zmm -------------------------------------
// Products: (A·low | D·high) from the chunk with per-half matrices, XOR (B·high | C·low) from the
// chunk with its halves swapped: 2 affine ops, 1 lane shuffle and 1 XOR per 32 products.

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,gfni"))), apply_to = function)

typedef struct { __m512i same, swapped; } gfni512_lut;

static inline gfni512_lut gfni512_lut_load(const uint8_t *t) {
    const long long *m = (const long long *)(t + 128);  // ll, hl, lh, hh
    gfni512_lut L = {
        _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set1_epi64x(m[0])), _mm256_set1_epi64x(m[3]), 1),
        _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set1_epi64x(m[1])), _mm256_set1_epi64x(m[2]), 1),
    };
    return L;
}

static inline __m512i zmm_chunk_load(const uint8_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void zmm_chunk_store(uint8_t *p, __m512i v) { _mm512_storeu_si512((void *)p, v); }
static inline __m512i zmm_chunk_xor(__m512i a, __m512i b) { return _mm512_xor_si512(a, b); }

static inline __m512i gfni512_chunk_mul(__m512i v, gfni512_lut L) {
    __m512i swapped = _mm512_shuffle_i64x2(v, v, 0x4E);  // [high | low]
    return _mm512_xor_si512(_mm512_gf2p8affine_epi64_epi8(v, L.same, 0),
                            _mm512_gf2p8affine_epi64_epi8(swapped, L.swapped, 0));
}

#define KERNEL(name) gfni512_##name
#define chunk_t __m512i
#define chunk_load zmm_chunk_load
#define chunk_store zmm_chunk_store
#define chunk_xor zmm_chunk_xor
#define lut_t gfni512_lut
#define lut_load gfni512_lut_load
#define chunk_mul gfni512_chunk_mul
#include "rs_vector_kernel.inc"
#undef KERNEL
#undef chunk_t
#undef chunk_load
#undef chunk_store
#undef chunk_xor
#undef lut_t
#undef lut_load
#undef chunk_mul

RS_KERNEL_ENTRY_POINTS(gfni512)

#pragma clang attribute pop
#endif
