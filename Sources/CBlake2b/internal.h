#ifndef WALRUS_SIM_CBLAKE2B_INTERNAL_H
#define WALRUS_SIM_CBLAKE2B_INTERNAL_H
// Shared by the scalar and SIMD implementations: RFC 7693 constants, the block geometry of a
// batch, and the copy of partial blocks into zero-padded buffers.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CB2_BLOCK 128

// Whether the AVX2/AVX-512 code is compiled. Defining CB2_X86=0 builds the portable code alone,
// as on other architectures (used to check that build).
#ifndef CB2_X86
#if defined(__x86_64__) || defined(__i386__)
#define CB2_X86 1
#else
#define CB2_X86 0
#endif
#endif

// RFC 7693 section 2.6: the SHA-512 initial values.
static const uint64_t cb2_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

// Parameter block word 0 for an unkeyed 32-byte digest: depth 1, fanout 1, key length 0,
// digest length 32. The other parameter words are zero, so only h[0] differs from the IV.
#define CB2_PARAM0 (0x01010000ULL ^ 32ULL)

// RFC 7693 section 2.7: message word schedule. BLAKE2b's rounds 10 and 11 reuse rows 0 and 1.
static const uint8_t cb2_sigma[12][16] = {
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

// Every round of every implementation is spelled out by this macro with a constant round
// number, so that the sigma lookups fold to constants and message words can stay in registers.
// G(r, i, a, b, c, d) must be defined by the includer to mix column/diagonal i of round r.
#define CB2_ROUND(r)                                                                              \
    do {                                                                                         \
        G(r, 0, v0, v4, v8, v12);                                                                \
        G(r, 1, v1, v5, v9, v13);                                                                \
        G(r, 2, v2, v6, v10, v14);                                                               \
        G(r, 3, v3, v7, v11, v15);                                                               \
        G(r, 4, v0, v5, v10, v15);                                                               \
        G(r, 5, v1, v6, v11, v12);                                                               \
        G(r, 6, v2, v7, v8, v13);                                                                \
        G(r, 7, v3, v4, v9, v14);                                                                \
    } while (0)

#define CB2_ALL_ROUNDS()                                                                         \
    do {                                                                                         \
        CB2_ROUND(0); CB2_ROUND(1); CB2_ROUND(2); CB2_ROUND(3); CB2_ROUND(4); CB2_ROUND(5);     \
        CB2_ROUND(6); CB2_ROUND(7); CB2_ROUND(8); CB2_ROUND(9); CB2_ROUND(10); CB2_ROUND(11);   \
    } while (0)

static inline uint64_t cb2_load64(const uint8_t *p) {
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

static inline void cb2_store64(uint8_t *p, uint64_t x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    memcpy(p, &x, 8);
}

// How a batch's messages split into blocks. A "message" here is the hashed input, that is the
// prefix byte (if any) followed by the caller's bytes; `total` is its length. All messages of a
// batch share it, so the geometry is computed once per call.
typedef struct {
    size_t total;      // bytes hashed per message, prefix included
    size_t blocks;     // compressions per message (an empty message still takes one)
    size_t last_fill;  // bytes of the last block that are message bytes (0 ..< 128]; 0 if empty
    int has_prefix;
    uint8_t prefix;
} cb2_geometry;

static inline cb2_geometry cb2_geometry_of(size_t len, int has_prefix, uint8_t prefix) {
    cb2_geometry g;
    g.total = len + (size_t)(has_prefix != 0);
    g.blocks = g.total == 0 ? 1 : (g.total + CB2_BLOCK - 1) / CB2_BLOCK;
    g.last_fill = g.total - (g.blocks - 1) * CB2_BLOCK;
    g.has_prefix = has_prefix != 0;
    g.prefix = prefix;
    return g;
}

// Whether block b of every message can be read in place from the caller's buffer: it must be
// a full block of caller bytes. The last block is copied because it may be partial (and must be
// zero-padded); block 0 is copied when a prefix byte precedes the caller's bytes.
static inline int cb2_block_in_place(const cb2_geometry *g, size_t b) {
    return b + 1 < g->blocks && !(b == 0 && g->has_prefix);
}

// Where block b of a message starting at `msg` lies, when it can be read in place.
static inline const uint8_t *cb2_block_ptr(const cb2_geometry *g, const uint8_t *msg, size_t b) {
    return msg + b * CB2_BLOCK - (size_t)g->has_prefix;
}

// Copies the message bytes of block b into `pad` (128 bytes). Bytes of `pad` past the message
// are left alone: callers zero the pad once per call, and since every message of a call fills
// the same positions of block b, those positions stay zero.
static inline void cb2_fill_block(const cb2_geometry *g, const uint8_t *msg, size_t b,
                                  uint8_t *pad) {
    size_t start = b * CB2_BLOCK;
    size_t end = start + CB2_BLOCK < g->total ? start + CB2_BLOCK : g->total;
    if (start == end) return;
    if (b == 0 && g->has_prefix) {
        pad[0] = g->prefix;
        if (end > 1) memcpy(pad + 1, msg, end - 1);
    } else {
        memcpy(pad, msg + start - (size_t)g->has_prefix, end - start);
    }
}

// Byte count fed to the compression of block b (RFC 7693's t), and whether it is the last.
static inline uint64_t cb2_counter(const cb2_geometry *g, size_t b) {
    return b + 1 < g->blocks ? (uint64_t)(b + 1) * CB2_BLOCK : (uint64_t)g->total;
}

// The SIMD compressions come in variants that skip the additions of message words known to be
// zero in the last block (a third of the additions for a 2-byte leaf, 7 of 16 words for an inner
// Merkle node): all messages of a batch have the same length, so these words are zero in every
// lane. This rounds the last block's word count up to a variant: 1, 4, 9 or 16 words (message
// bytes <= 8, <= 32, <= 72 or more).
static inline int cb2_last_block_words(const cb2_geometry *g) {
    size_t words = (g->last_fill + 7) / 8;
    return words <= 1 ? 1 : words <= 4 ? 4 : words <= 9 ? 9 : 16;
}

// The batch entry points of each implementation. `has_prefix` selects cb2_hash_many_prefixed
// semantics. The SIMD ones exist only on x86.
void cb2_many_scalar(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out,
                     int has_prefix, uint8_t prefix);
#if CB2_X86
void cb2_many_avx2(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out,
                   int has_prefix, uint8_t prefix);
void cb2_many_avx512(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out,
                     int has_prefix, uint8_t prefix);
#endif

#endif
