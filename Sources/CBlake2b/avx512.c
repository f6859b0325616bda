// BLAKE2b-256 on eight messages at once with AVX-512: each 512-bit register holds one state
// (or message) word of eight messages. AVX-512 rotates 64-bit lanes natively (vprorq), so a
// G step costs no more instructions than in scalar code. Compiled per function for
// avx512f/vl/bw (target attribute); blake2b.c calls it only after checking the CPU.
#include "internal.h"

#if CB2_X86
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512vl,avx512bw")))
#define LANES 8

// Rows a[0..7] hold eight consecutive words of lanes 0..7; afterwards out[k] holds word k of
// every lane. Three stages of 2x2 block swaps (64-bit, then 128-bit, then 256-bit blocks).
TARGET static inline void transpose8(const __m512i a[8], __m512i out[8]) {
    __m512i t[8], u[8];
    for (int i = 0; i < 4; i++) {
        // Per 128-bit chunk c: words 2c (lo) or 2c+1 (hi) of lanes 2i, 2i+1.
        t[2 * i] = _mm512_unpacklo_epi64(a[2 * i], a[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi64(a[2 * i], a[2 * i + 1]);
    }
    for (int p = 0; p < 2; p++) {
        // From t[p] (lanes 0,1) and t[p+2] (lanes 2,3): chunks {0,2} or {1,3}; same for lanes 4..7.
        u[p] = _mm512_shuffle_i64x2(t[p], t[p + 2], _MM_SHUFFLE(2, 0, 2, 0));
        u[p + 2] = _mm512_shuffle_i64x2(t[p], t[p + 2], _MM_SHUFFLE(3, 1, 3, 1));
        u[p + 4] = _mm512_shuffle_i64x2(t[p + 4], t[p + 6], _MM_SHUFFLE(2, 0, 2, 0));
        u[p + 6] = _mm512_shuffle_i64x2(t[p + 4], t[p + 6], _MM_SHUFFLE(3, 1, 3, 1));
    }
    // u[p] (p = 0 words 0/4, p = 1 words 1/5, p = 2 words 2/6, p = 3 words 3/7) for lanes 0..3,
    // u[p+4] the same for lanes 4..7.
    for (int p = 0; p < 4; p++) {
        out[p] = _mm512_shuffle_i64x2(u[p], u[p + 4], _MM_SHUFFLE(2, 0, 2, 0));
        out[p + 4] = _mm512_shuffle_i64x2(u[p], u[p + 4], _MM_SHUFFLE(3, 1, 3, 1));
    }
}

// Which bytes of 64-byte half `half` of block b are message bytes: the caller's bytes only,
// never the prefix position (filled in separately) nor anything past the end.
static inline uint64_t half_mask(const cb2_geometry *g, size_t b, int half) {
    size_t lo = b * CB2_BLOCK + 64 * (size_t)half;  // hashed-message index of the half's byte 0
    if (g->total <= lo) return 0;
    uint64_t mask = g->total - lo >= 64 ? ~0ULL : (1ULL << (g->total - lo)) - 1;
    if (lo == 0 && g->has_prefix) mask &= ~1ULL;
    return mask;
}

// Loads block b of the eight messages as lane-sliced words. Byte-masked loads read exactly the
// message bytes and give zeros elsewhere, and masked-out bytes cannot fault, so partial blocks
// need no copy into a padded buffer. With a prefix, the caller's bytes sit one position later in
// the hashed message: the load starts one byte before the message (that byte is masked out)
// and the prefix is or-ed into word 0 afterwards.
TARGET static inline void load_block(const cb2_geometry *g, const uint8_t *const msg[LANES],
                                     size_t b, __m512i m[16]) {
    for (int half = 0; half < 2; half++) {
        __mmask64 k = (__mmask64)half_mask(g, b, half);
        // Addresses as integers: msg - 1 may lie outside the caller's object, which is fine for
        // a masked-out byte but not for C pointer arithmetic.
        uintptr_t offset = b * CB2_BLOCK + 64 * (uintptr_t)half - (uintptr_t)g->has_prefix;
        __m512i a[8];
        for (int l = 0; l < LANES; l++)
            a[l] = _mm512_maskz_loadu_epi8(k, (const void *)((uintptr_t)msg[l] + offset));
        transpose8(a, m + 8 * half);
    }
    if (b == 0 && g->has_prefix) m[0] = _mm512_or_si512(m[0], _mm512_set1_epi64(g->prefix));
}

// One compression of eight lanes. Message words >= nz are taken as zero (see
// cb2_last_block_words); nz is a constant in every instantiation below, so the tests fold away.
TARGET static inline __attribute__((always_inline)) void
compress_body(__m512i h[8], const __m512i m[16], uint64_t t, int last, const int nz) {
    __m512i v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
    __m512i v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
    __m512i v8 = _mm512_set1_epi64((long long)cb2_iv[0]);
    __m512i v9 = _mm512_set1_epi64((long long)cb2_iv[1]);
    __m512i v10 = _mm512_set1_epi64((long long)cb2_iv[2]);
    __m512i v11 = _mm512_set1_epi64((long long)cb2_iv[3]);
    // All lanes share the length, hence the counter and the last-block flag.
    __m512i v12 = _mm512_set1_epi64((long long)(cb2_iv[4] ^ t));
    __m512i v13 = _mm512_set1_epi64((long long)cb2_iv[5]);
    __m512i v14 = _mm512_set1_epi64((long long)(last ? ~cb2_iv[6] : cb2_iv[6]));
    __m512i v15 = _mm512_set1_epi64((long long)cb2_iv[7]);

#define ADD_M(a, w)                                                                              \
    do {                                                                                         \
        if ((w) < nz) a = _mm512_add_epi64(a, m[w]);                                             \
    } while (0)
#define G(r, i, a, b, c, d)                                                                      \
    do {                                                                                         \
        a = _mm512_add_epi64(a, b);                                                              \
        ADD_M(a, cb2_sigma[r][2 * (i)]);                                                         \
        d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32);                                        \
        c = _mm512_add_epi64(c, d);                                                              \
        b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24);                                        \
        a = _mm512_add_epi64(a, b);                                                              \
        ADD_M(a, cb2_sigma[r][2 * (i) + 1]);                                                     \
        d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16);                                        \
        c = _mm512_add_epi64(c, d);                                                              \
        b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63);                                        \
    } while (0)
    CB2_ALL_ROUNDS();
#undef G
#undef ADD_M

    // h ^= v_low ^ v_high in one ternary-logic instruction each (0x96 = three-way xor).
    h[0] = _mm512_ternarylogic_epi64(h[0], v0, v8, 0x96);
    h[1] = _mm512_ternarylogic_epi64(h[1], v1, v9, 0x96);
    h[2] = _mm512_ternarylogic_epi64(h[2], v2, v10, 0x96);
    h[3] = _mm512_ternarylogic_epi64(h[3], v3, v11, 0x96);
    h[4] = _mm512_ternarylogic_epi64(h[4], v4, v12, 0x96);
    h[5] = _mm512_ternarylogic_epi64(h[5], v5, v13, 0x96);
    h[6] = _mm512_ternarylogic_epi64(h[6], v6, v14, 0x96);
    h[7] = _mm512_ternarylogic_epi64(h[7], v7, v15, 0x96);
}

// The instantiations: full blocks, and last blocks of at most 1, 4 or 9 nonzero words.
typedef void (*compress_fn)(__m512i *, const __m512i *, uint64_t, int);
#define DEFINE_COMPRESS(nz)                                                                      \
    TARGET static void compress_##nz(__m512i h[8], const __m512i m[16], uint64_t t, int last) {  \
        compress_body(h, m, t, last, nz);                                                        \
    }
DEFINE_COMPRESS(1)
DEFINE_COMPRESS(4)
DEFINE_COMPRESS(9)
DEFINE_COMPRESS(16)

// Hashes up to eight messages; lanes >= n repeat message 0 and their digests are dropped.
TARGET static void hash_group(const cb2_geometry *g, compress_fn compress_last,
                              const uint8_t *const msg[LANES], size_t n, uint8_t *out) {
    __m512i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm512_set1_epi64((long long)cb2_iv[i]);
    h[0] = _mm512_xor_si512(h[0], _mm512_set1_epi64((long long)CB2_PARAM0));

    for (size_t b = 0; b < g->blocks; b++) {
        __m512i m[16];
        load_block(g, msg, b, m);
        if (b + 1 < g->blocks)
            compress_16(h, m, cb2_counter(g, b), 0);
        else
            compress_last(h, m, cb2_counter(g, b), 1);
    }

    // Transposing rows h[0..3] (twice, to fill eight rows) gives each lane's digest words in
    // the low 256 bits of its row.
    __m512i rows[8] = {h[0], h[1], h[2], h[3], h[0], h[1], h[2], h[3]};
    __m512i d[8];
    transpose8(rows, d);
    for (size_t l = 0; l < n; l++)
        _mm256_storeu_si256((__m256i *)(out + 32 * l), _mm512_castsi512_si256(d[l]));
}

TARGET void cb2_many_avx512(const uint8_t *in, size_t stride, size_t len, size_t count,
                            uint8_t *out, int has_prefix, uint8_t prefix) {
    cb2_geometry g = cb2_geometry_of(len, has_prefix, prefix);
    int words = cb2_last_block_words(&g);
    compress_fn compress_last = words == 1 ? compress_1 : words == 4 ? compress_4
                                : words == 9 ? compress_9 : compress_16;
    // Group k reads pairs [8k, 8k+8) before writing digests [8k, 8k+8), which overwrite only
    // input bytes of groups <= k: in-place Merkle levels are safe.
    for (size_t i = 0; i < count; i += LANES) {
        size_t n = count - i < LANES ? count - i : LANES;
        const uint8_t *msg[LANES];
        for (size_t l = 0; l < LANES; l++) msg[l] = in + (i + (l < n ? l : 0)) * stride;
        hash_group(&g, compress_last, msg, n, out + 32 * i);
    }
}

#endif
