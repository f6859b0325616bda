// BLAKE2b-256 on four messages at once with AVX2: each 256-bit register holds one state (or
// message) word of four messages, so one G step on registers is four independent G steps.
// Compiled for AVX2 per function (target attribute), so the target needs no global -m flags;
// blake2b.c calls it only after checking the CPU.
#include "internal.h"

#if CB2_X86
#include <immintrin.h>

#define TARGET __attribute__((target("avx2")))
#define LANES 4

// Rotations by 32, 24 and 16 move whole bytes, so one shuffle does each; rotation by 63 is a
// left shift by one (an add) combined with the top bit.
TARGET static inline __m256i rotr32(__m256i x) {
    return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
}
// The byte-shuffle masks for 24 and 16 are passed in rather than written as constants here:
// given a constant rotate-by-16 mask, clang rewrites vpshufb as vpshuflw + vpshufhw, two
// shuffles instead of one (shuffles have fewer ports than adds and xors). See opaque() below.
TARGET static inline __m256i rotr24(__m256i x, __m256i r24) { return _mm256_shuffle_epi8(x, r24); }
TARGET static inline __m256i rotr16(__m256i x, __m256i r16) { return _mm256_shuffle_epi8(x, r16); }
TARGET static inline __m256i rotr63(__m256i x) {
    return _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

// Rows a0..a3 hold four consecutive words of lanes 0..3; afterwards word k of every lane is in
// the k-th output. Used both to turn message bytes into lane-sliced words and back for digests.
TARGET static inline void transpose4(__m256i a0, __m256i a1, __m256i a2, __m256i a3,
                                     __m256i out[4]) {
    __m256i t0 = _mm256_unpacklo_epi64(a0, a1);  // words 0, 2 of lanes 0, 1
    __m256i t1 = _mm256_unpackhi_epi64(a0, a1);  // words 1, 3 of lanes 0, 1
    __m256i t2 = _mm256_unpacklo_epi64(a2, a3);
    __m256i t3 = _mm256_unpackhi_epi64(a2, a3);
    out[0] = _mm256_permute2x128_si256(t0, t2, 0x20);
    out[1] = _mm256_permute2x128_si256(t1, t3, 0x20);
    out[2] = _mm256_permute2x128_si256(t0, t2, 0x31);
    out[3] = _mm256_permute2x128_si256(t1, t3, 0x31);
}

TARGET static inline void load_block(const uint8_t *const src[LANES], __m256i m[16]) {
    for (int c = 0; c < 4; c++) {
        transpose4(_mm256_loadu_si256((const __m256i *)(src[0] + 32 * c)),
                   _mm256_loadu_si256((const __m256i *)(src[1] + 32 * c)),
                   _mm256_loadu_si256((const __m256i *)(src[2] + 32 * c)),
                   _mm256_loadu_si256((const __m256i *)(src[3] + 32 * c)), m + 4 * c);
    }
}

// Hides a value's origin from the optimiser (an empty asm that "may modify" the register).
// Also applied to d after its rotation by 16: otherwise clang pushes the next rotation by 32
// through the xor (rot(d ^ a) = rot(d) ^ rot(a)), doubling those shuffles.
TARGET static inline __m256i opaque(__m256i x) {
    __asm__("" : "+x"(x));
    return x;
}

// One compression of four lanes. Message words >= nz are taken as zero (see
// cb2_last_block_words); nz is a constant in every instantiation below, so the tests fold away.
TARGET static inline __attribute__((always_inline)) void
compress_body(__m256i h[8], const __m256i m[16], uint64_t t, int last, const int nz) {
    const __m256i r24 = opaque(_mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9,
                                                10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8,
                                                9, 10));
    const __m256i r16 = opaque(_mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8,
                                                9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15,
                                                8, 9));
    __m256i v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
    __m256i v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
    __m256i v8 = _mm256_set1_epi64x((long long)cb2_iv[0]);
    __m256i v9 = _mm256_set1_epi64x((long long)cb2_iv[1]);
    __m256i v10 = _mm256_set1_epi64x((long long)cb2_iv[2]);
    __m256i v11 = _mm256_set1_epi64x((long long)cb2_iv[3]);
    // All lanes share the length, hence the counter and the last-block flag.
    __m256i v12 = _mm256_set1_epi64x((long long)(cb2_iv[4] ^ t));
    __m256i v13 = _mm256_set1_epi64x((long long)cb2_iv[5]);
    __m256i v14 = _mm256_set1_epi64x((long long)(last ? ~cb2_iv[6] : cb2_iv[6]));
    __m256i v15 = _mm256_set1_epi64x((long long)cb2_iv[7]);

#define ADD_M(a, w)                                                                              \
    do {                                                                                         \
        if ((w) < nz) a = _mm256_add_epi64(a, m[w]);                                             \
    } while (0)
#define G(r, i, a, b, c, d)                                                                      \
    do {                                                                                         \
        a = _mm256_add_epi64(a, b);                                                              \
        ADD_M(a, cb2_sigma[r][2 * (i)]);                                                         \
        d = rotr32(_mm256_xor_si256(d, a));                                                      \
        c = _mm256_add_epi64(c, d);                                                              \
        b = rotr24(_mm256_xor_si256(b, c), r24);                                                 \
        a = _mm256_add_epi64(a, b);                                                              \
        ADD_M(a, cb2_sigma[r][2 * (i) + 1]);                                                     \
        d = opaque(rotr16(_mm256_xor_si256(d, a), r16));                                         \
        c = _mm256_add_epi64(c, d);                                                              \
        b = rotr63(_mm256_xor_si256(b, c));                                                      \
    } while (0)
    CB2_ALL_ROUNDS();
#undef G
#undef ADD_M

    h[0] = _mm256_xor_si256(h[0], _mm256_xor_si256(v0, v8));
    h[1] = _mm256_xor_si256(h[1], _mm256_xor_si256(v1, v9));
    h[2] = _mm256_xor_si256(h[2], _mm256_xor_si256(v2, v10));
    h[3] = _mm256_xor_si256(h[3], _mm256_xor_si256(v3, v11));
    h[4] = _mm256_xor_si256(h[4], _mm256_xor_si256(v4, v12));
    h[5] = _mm256_xor_si256(h[5], _mm256_xor_si256(v5, v13));
    h[6] = _mm256_xor_si256(h[6], _mm256_xor_si256(v6, v14));
    h[7] = _mm256_xor_si256(h[7], _mm256_xor_si256(v7, v15));
}

// The instantiations: full blocks, and last blocks of at most 1, 4 or 9 nonzero words.
typedef void (*compress_fn)(__m256i *, const __m256i *, uint64_t, int);
#define DEFINE_COMPRESS(nz)                                                                      \
    TARGET static void compress_##nz(__m256i h[8], const __m256i m[16], uint64_t t, int last) {  \
        compress_body(h, m, t, last, nz);                                                        \
    }
DEFINE_COMPRESS(1)
DEFINE_COMPRESS(4)
DEFINE_COMPRESS(9)
DEFINE_COMPRESS(16)

// Hashes up to four messages; lanes >= n repeat message 0 and their digests are dropped.
// `pads` holds two zeroed 4 x 128-byte areas (first block, last block) owned by the caller.
TARGET static void hash_group(const cb2_geometry *g, compress_fn compress_last,
                              const uint8_t *const msg[LANES], size_t n, uint8_t *pads,
                              uint8_t *out) {
    __m256i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm256_set1_epi64x((long long)cb2_iv[i]);
    h[0] = _mm256_xor_si256(h[0], _mm256_set1_epi64x((long long)CB2_PARAM0));

    for (size_t b = 0; b < g->blocks; b++) {
        const uint8_t *src[LANES];
        if (cb2_block_in_place(g, b)) {
            for (int l = 0; l < LANES; l++) src[l] = cb2_block_ptr(g, msg[l], b);
        } else {
            // Separate pads for block 0 and the last block keep each one's zero tail intact.
            uint8_t *pad = pads + (b + 1 == g->blocks ? LANES * CB2_BLOCK : 0);
            for (int l = 0; l < LANES; l++) {
                cb2_fill_block(g, msg[l], b, pad + l * CB2_BLOCK);
                src[l] = pad + l * CB2_BLOCK;
            }
        }
        __m256i m[16];
        load_block(src, m);
        if (b + 1 < g->blocks)
            compress_16(h, m, cb2_counter(g, b), 0);
        else
            compress_last(h, m, cb2_counter(g, b), 1);
    }

    // h[0..3] are the digest words; transposed back, each row is one lane's 32-byte digest.
    __m256i d[4];
    transpose4(h[0], h[1], h[2], h[3], d);
    for (size_t l = 0; l < n; l++) _mm256_storeu_si256((__m256i *)(out + 32 * l), d[l]);
}

TARGET void cb2_many_avx2(const uint8_t *in, size_t stride, size_t len, size_t count,
                          uint8_t *out, int has_prefix, uint8_t prefix) {
    cb2_geometry g = cb2_geometry_of(len, has_prefix, prefix);
    int words = cb2_last_block_words(&g);
    compress_fn compress_last = words == 1 ? compress_1 : words == 4 ? compress_4
                                : words == 9 ? compress_9 : compress_16;
    _Alignas(32) uint8_t pads[2 * LANES * CB2_BLOCK];
    memset(pads, 0, sizeof pads);
    // Group k reads pairs [4k, 4k+4) before writing digests [4k, 4k+4), which overwrite only
    // input bytes of groups <= k: in-place Merkle levels are safe.
    for (size_t i = 0; i < count; i += LANES) {
        size_t n = count - i < LANES ? count - i : LANES;
        const uint8_t *msg[LANES];
        for (size_t l = 0; l < LANES; l++) msg[l] = in + (i + (l < n ? l : 0)) * stride;
        hash_group(&g, compress_last, msg, n, pads, out + 32 * i);
    }
}

#endif
