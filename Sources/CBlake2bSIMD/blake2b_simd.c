// Multi-buffer BLAKE2b-256 for x86-64: 8 messages per AVX-512 register set, 4 per AVX2.
// Each 64-bit lane of a vector holds the same state word of a different message; the
// compression function (RFC 7693 §3.2) then runs unchanged, lane-wise.
#include "CBlake2bSIMD.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define WB2B_X86 1
#endif

static const uint64_t IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;  // x86-64 is little-endian
}

// Writes the 16 little-endian words of block `blk` (zero padded) of the message
// `prefix? || data[0..len)` to w. Only bytes inside the message are read.
static inline void load_block(uint64_t w[16], const uint8_t *data, size_t len, int prefix, size_t blk) {
    const size_t p = prefix >= 0 ? 1 : 0;
    const size_t total = len + p;
    const size_t start = blk * 128;  // message offset of the block
    for (int k = 0; k < 16; k++) {
        const size_t m0 = start + 8 * (size_t)k;  // message offset of word k
        if (m0 >= total) {
            w[k] = 0;
        } else if (m0 >= p && m0 + 8 <= total) {  // all 8 bytes inside data
            w[k] = load64(data + (m0 - p));
        } else {  // straddles the prefix byte or the end of the message
            uint64_t v = 0;
            for (size_t b = 0; b < 8 && m0 + b < total; b++) {
                const size_t m = m0 + b;
                const uint8_t byte = (p && m == 0) ? (uint8_t)prefix : data[m - p];
                v |= (uint64_t)byte << (8 * b);
            }
            w[k] = v;
        }
    }
}

#ifdef WB2B_X86

#define G_STEP(V, a, b, c, d, x, y)                                   \
    do {                                                              \
        V[a] = ADD(ADD(V[a], V[b]), x);                               \
        V[d] = ROR32(XOR(V[d], V[a]));                                \
        V[c] = ADD(V[c], V[d]);                                       \
        V[b] = ROR24(XOR(V[b], V[c]));                                \
        V[a] = ADD(ADD(V[a], V[b]), y);                               \
        V[d] = ROR16(XOR(V[d], V[a]));                                \
        V[c] = ADD(V[c], V[d]);                                       \
        V[b] = ROR63(XOR(V[b], V[c]));                                \
    } while (0)

#define ROUNDS(V, M)                                                  \
    for (int r = 0; r < 12; r++) {                                    \
        const uint8_t *s = SIGMA[r];                                  \
        G_STEP(V, 0, 4, 8, 12, M[s[0]], M[s[1]]);                     \
        G_STEP(V, 1, 5, 9, 13, M[s[2]], M[s[3]]);                     \
        G_STEP(V, 2, 6, 10, 14, M[s[4]], M[s[5]]);                    \
        G_STEP(V, 3, 7, 11, 15, M[s[6]], M[s[7]]);                    \
        G_STEP(V, 0, 5, 10, 15, M[s[8]], M[s[9]]);                    \
        G_STEP(V, 1, 6, 11, 12, M[s[10]], M[s[11]]);                  \
        G_STEP(V, 2, 7, 8, 13, M[s[12]], M[s[13]]);                   \
        G_STEP(V, 3, 4, 9, 14, M[s[14]], M[s[15]]);                   \
    }

// ---------------------------------------------------------------- AVX-512, 8 lanes
#define ADD(a, b) _mm512_add_epi64(a, b)
#define XOR(a, b) _mm512_xor_si512(a, b)
#define ROR32(x) _mm512_ror_epi64(x, 32)
#define ROR24(x) _mm512_ror_epi64(x, 24)
#define ROR16(x) _mm512_ror_epi64(x, 16)
#define ROR63(x) _mm512_ror_epi64(x, 63)

__attribute__((target("avx512f,avx512vl")))
static void group8(const uint8_t *const msgs[8], size_t len, int prefix, uint8_t *const outs[8]) {
    size_t total = len + (prefix >= 0 ? 1 : 0);
    size_t blocks = total == 0 ? 1 : (total + 127) / 128;
    __m512i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm512_set1_epi64((long long)IV[i]);
    h[0] = XOR(h[0], _mm512_set1_epi64(0x01010020LL));
    uint64_t buf[8][16] __attribute__((aligned(64)));
    const __m512i lane_index = _mm512_set_epi64(7 * 16, 6 * 16, 5 * 16, 4 * 16, 3 * 16, 2 * 16, 1 * 16, 0);
    for (size_t b = 0; b < blocks; b++) {
        for (int l = 0; l < 8; l++) load_block(buf[l], msgs[l], len, prefix, b);
        __m512i m[16];
        for (int i = 0; i < 16; i++)
            m[i] = _mm512_i64gather_epi64(_mm512_add_epi64(lane_index, _mm512_set1_epi64(i)), (const void *)buf, 8);
        int last = b + 1 == blocks;
        uint64_t t = last ? (uint64_t)total : (uint64_t)(b + 1) * 128;
        __m512i v[16];
        for (int i = 0; i < 8; i++) v[i] = h[i];
        for (int i = 0; i < 8; i++) v[i + 8] = _mm512_set1_epi64((long long)IV[i]);
        v[12] = XOR(v[12], _mm512_set1_epi64((long long)t));
        if (last) v[14] = XOR(v[14], _mm512_set1_epi64(-1LL));
        ROUNDS(v, m)
        for (int i = 0; i < 8; i++) h[i] = XOR(h[i], XOR(v[i], v[i + 8]));
    }
    uint64_t res[4][8] __attribute__((aligned(64)));
    for (int i = 0; i < 4; i++) _mm512_store_si512((void *)res[i], h[i]);
    for (int l = 0; l < 8; l++)
        if (outs[l]) {
            uint64_t d[4] = {res[0][l], res[1][l], res[2][l], res[3][l]};
            memcpy(outs[l], d, 32);
        }
}

#undef ADD
#undef XOR
#undef ROR32
#undef ROR24
#undef ROR16
#undef ROR63

// ---------------------------------------------------------------- AVX2, 4 lanes
#define ADD(a, b) _mm256_add_epi64(a, b)
#define XOR(a, b) _mm256_xor_si256(a, b)
#define ROR32(x) _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))
#define ROR24(x) _mm256_shuffle_epi8(x, r24)
#define ROR16(x) _mm256_shuffle_epi8(x, r16)
#define ROR63(x) _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x))

__attribute__((target("avx2")))
static void group4(const uint8_t *const msgs[4], size_t len, int prefix, uint8_t *const outs[4]) {
    const __m256i r24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
                                         3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    const __m256i r16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
                                         2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    size_t total = len + (prefix >= 0 ? 1 : 0);
    size_t blocks = total == 0 ? 1 : (total + 127) / 128;
    __m256i h[8];
    for (int i = 0; i < 8; i++) h[i] = _mm256_set1_epi64x((long long)IV[i]);
    h[0] = XOR(h[0], _mm256_set1_epi64x(0x01010020LL));
    uint64_t buf[4][16] __attribute__((aligned(32)));
    for (size_t b = 0; b < blocks; b++) {
        for (int l = 0; l < 4; l++) load_block(buf[l], msgs[l], len, prefix, b);
        __m256i m[16];
        for (int i = 0; i < 16; i++)
            m[i] = _mm256_set_epi64x((long long)buf[3][i], (long long)buf[2][i], (long long)buf[1][i], (long long)buf[0][i]);
        int last = b + 1 == blocks;
        uint64_t t = last ? (uint64_t)total : (uint64_t)(b + 1) * 128;
        __m256i v[16];
        for (int i = 0; i < 8; i++) v[i] = h[i];
        for (int i = 0; i < 8; i++) v[i + 8] = _mm256_set1_epi64x((long long)IV[i]);
        v[12] = XOR(v[12], _mm256_set1_epi64x((long long)t));
        if (last) v[14] = XOR(v[14], _mm256_set1_epi64x(-1LL));
        ROUNDS(v, m)
        for (int i = 0; i < 8; i++) h[i] = XOR(h[i], XOR(v[i], v[i + 8]));
    }
    uint64_t res[4][4] __attribute__((aligned(32)));
    for (int i = 0; i < 4; i++) _mm256_store_si256((__m256i *)res[i], h[i]);
    for (int l = 0; l < 4; l++)
        if (outs[l]) {
            uint64_t d[4] = {res[0][l], res[1][l], res[2][l], res[3][l]};
            memcpy(outs[l], d, 32);
        }
}

static int detect_lanes(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return 8;
    if (__builtin_cpu_supports("avx2")) return 4;
    return 0;
}

#else
static int detect_lanes(void) { return 0; }
#endif

int wb2b_lanes(void) {
    static int lanes = -1;  // every thread computes the same value; relaxed atomics keep it race-free
    int v = __atomic_load_n(&lanes, __ATOMIC_RELAXED);
    if (v < 0) {
        v = detect_lanes();
        __atomic_store_n(&lanes, v, __ATOMIC_RELAXED);
    }
    return v;
}

void wb2b_hash_strided(const uint8_t *base, size_t in_stride, size_t count, size_t len, int prefix,
                       uint8_t *out, size_t out_stride) {
#ifdef WB2B_X86
    int lanes = wb2b_lanes();
    if (lanes <= 0 || count == 0) return;
    for (size_t i = 0; i < count; i += (size_t)lanes) {
        const uint8_t *msgs[8];
        uint8_t *outs[8];
        for (int l = 0; l < lanes; l++) {
            size_t k = i + (size_t)l;
            if (k < count) {
                msgs[l] = base + k * in_stride;
                outs[l] = out + k * out_stride;
            } else {  // idle lane: rehash the group's first message, discard the result
                msgs[l] = base + i * in_stride;
                outs[l] = NULL;
            }
        }
        if (lanes == 8) group8(msgs, len, prefix, outs);
        else group4(msgs, len, prefix, outs);
    }
#else
    (void)base; (void)in_stride; (void)count; (void)len; (void)prefix; (void)out; (void)out_stride;
#endif
}
