// x86 vector kernels: AVX2 nibble tables (pshufb) and AVX2 + GFNI bit matrices. Each is compiled
// for its own target with function attributes, so the file builds with baseline flags and the
// dispatcher in rs_common.c only calls a kernel the CPU supports.
#if defined(__x86_64__)
#include "CReedSolomonSIMD.h"
#include "rs_internal.h"

#include <immintrin.h>

// ---- AVX2: products of four nibbles, looked up 32 at a time with pshufb ---------------------

#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)

typedef struct { __m256i low[4], high[4]; } avx2_lut;

static inline avx2_lut avx2_lut_load(const uint8_t *t) {
    avx2_lut L;
    for (int i = 0; i < 4; i++) {
        L.low[i] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 16 * i)));
        L.high[i] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 64 + 16 * i)));
    }
    return L;
}

#define avx2_mul(lo, hi, L, plo, phi)                                                              \
    do {                                                                                           \
        const __m256i mask_ = _mm256_set1_epi8(0x0f);                                              \
        __m256i n0_ = _mm256_and_si256((lo), mask_);                                               \
        __m256i n1_ = _mm256_and_si256(_mm256_srli_epi16((lo), 4), mask_);                         \
        __m256i n2_ = _mm256_and_si256((hi), mask_);                                               \
        __m256i n3_ = _mm256_and_si256(_mm256_srli_epi16((hi), 4), mask_);                         \
        (plo) = _mm256_xor_si256(                                                                  \
            _mm256_xor_si256(_mm256_shuffle_epi8((L).low[0], n0_), _mm256_shuffle_epi8((L).low[1], n1_)), \
            _mm256_xor_si256(_mm256_shuffle_epi8((L).low[2], n2_), _mm256_shuffle_epi8((L).low[3], n3_))); \
        (phi) = _mm256_xor_si256(                                                                  \
            _mm256_xor_si256(_mm256_shuffle_epi8((L).high[0], n0_), _mm256_shuffle_epi8((L).high[1], n1_)), \
            _mm256_xor_si256(_mm256_shuffle_epi8((L).high[2], n2_), _mm256_shuffle_epi8((L).high[3], n3_))); \
    } while (0)

#define KERNEL(name) avx2_##name
#define lut_t avx2_lut
#define lut_load avx2_lut_load
#define mul avx2_mul
#include "rs_vector_kernel.inc"
#undef KERNEL
#undef lut_t
#undef lut_load
#undef mul

void rs_avx2_fft(uint8_t *const *shards, size_t sb, size_t pos, size_t src_pos, size_t size,
                 size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    avx2_fft(shards, sb, pos, src_pos, size, truncated, skew_delta, skew, tables);
}
void rs_avx2_ifft(uint8_t *const *shards, size_t sb, size_t pos, size_t size, size_t truncated,
                  size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    avx2_ifft(shards, sb, pos, size, truncated, skew_delta, skew, tables);
}
void rs_avx2_mul(uint8_t *x, size_t bytes, const uint8_t *table) { avx2_mul_shard(x, bytes, table); }

#pragma clang attribute pop

// ---- GFNI: low' = A·low ^ B·high, high' = C·low ^ D·high with 8x8 GF(2) matrices -----------

#pragma clang attribute push(__attribute__((target("avx2,gfni"))), apply_to = function)

typedef struct { __m256i ll, hl, lh, hh; } gfni_lut;

static inline gfni_lut gfni_lut_load(const uint8_t *t) {
    const long long *m = (const long long *)(t + 128);
    gfni_lut L = {_mm256_set1_epi64x(m[0]), _mm256_set1_epi64x(m[1]), _mm256_set1_epi64x(m[2]),
                  _mm256_set1_epi64x(m[3])};
    return L;
}

#define gfni_mul(lo, hi, L, plo, phi)                                                              \
    do {                                                                                           \
        (plo) = _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8((lo), (L).ll, 0),                    \
                                 _mm256_gf2p8affine_epi64_epi8((hi), (L).hl, 0));                   \
        (phi) = _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8((lo), (L).lh, 0),                    \
                                 _mm256_gf2p8affine_epi64_epi8((hi), (L).hh, 0));                   \
    } while (0)

#define KERNEL(name) gfni_##name
#define lut_t gfni_lut
#define lut_load gfni_lut_load
#define mul gfni_mul
#include "rs_vector_kernel.inc"
#undef KERNEL
#undef lut_t
#undef lut_load
#undef mul

void rs_gfni_fft(uint8_t *const *shards, size_t sb, size_t pos, size_t src_pos, size_t size,
                 size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    gfni_fft(shards, sb, pos, src_pos, size, truncated, skew_delta, skew, tables);
}
void rs_gfni_ifft(uint8_t *const *shards, size_t sb, size_t pos, size_t size, size_t truncated,
                  size_t skew_delta, const uint16_t *skew, const uint8_t *tables) {
    gfni_ifft(shards, sb, pos, size, truncated, skew_delta, skew, tables);
}
void rs_gfni_mul(uint8_t *x, size_t bytes, const uint8_t *table) { gfni_mul_shard(x, bytes, table); }

#pragma clang attribute pop
#endif
