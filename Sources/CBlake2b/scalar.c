// Portable BLAKE2b-256, written from RFC 7693. It is the reference the SIMD code is tested
// against, the fallback on CPUs without AVX2, and the only implementation off x86.
#include "internal.h"

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

// RFC 7693 section 3.2, F: compresses one 128-byte block (as 16 little-endian words) into h.
static void compress(uint64_t h[8], const uint64_t m[16], uint64_t t, int last) {
    uint64_t v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
    uint64_t v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
    uint64_t v8 = cb2_iv[0], v9 = cb2_iv[1], v10 = cb2_iv[2], v11 = cb2_iv[3];
    // The counter's high word is always zero: no message here reaches 2^64 bytes.
    uint64_t v12 = cb2_iv[4] ^ t, v13 = cb2_iv[5];
    uint64_t v14 = last ? ~cb2_iv[6] : cb2_iv[6], v15 = cb2_iv[7];

#define G(r, i, a, b, c, d)                                                                      \
    do {                                                                                         \
        a = a + b + m[cb2_sigma[r][2 * (i)]];                                                    \
        d = rotr64(d ^ a, 32);                                                                   \
        c = c + d;                                                                               \
        b = rotr64(b ^ c, 24);                                                                   \
        a = a + b + m[cb2_sigma[r][2 * (i) + 1]];                                                \
        d = rotr64(d ^ a, 16);                                                                   \
        c = c + d;                                                                               \
        b = rotr64(b ^ c, 63);                                                                   \
    } while (0)
    CB2_ALL_ROUNDS();
#undef G

    h[0] ^= v0 ^ v8;  h[1] ^= v1 ^ v9;  h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11;
    h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15;
}

static void load_words(uint64_t m[16], const uint8_t *block) {
    for (int w = 0; w < 16; w++) m[w] = cb2_load64(block + 8 * w);
}

// Hashes one message of the batch geometry `g` starting at `msg`.
static void hash_one(const cb2_geometry *g, const uint8_t *msg, uint8_t out[32]) {
    uint64_t h[8];
    for (int i = 0; i < 8; i++) h[i] = cb2_iv[i];
    h[0] ^= CB2_PARAM0;
    uint64_t m[16];
    for (size_t b = 0; b < g->blocks; b++) {
        if (cb2_block_in_place(g, b)) {
            load_words(m, cb2_block_ptr(g, msg, b));
        } else {
            uint8_t pad[CB2_BLOCK] = {0};
            cb2_fill_block(g, msg, b, pad);
            load_words(m, pad);
        }
        compress(h, m, cb2_counter(g, b), b + 1 == g->blocks);
    }
    // Read everything before writing: cb2_merkle_level may hash in place.
    for (int i = 0; i < 4; i++) cb2_store64(out + 8 * i, h[i]);
}

void cb2_many_scalar(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out,
                     int has_prefix, uint8_t prefix) {
    cb2_geometry g = cb2_geometry_of(len, has_prefix, prefix);
    // In-place Merkle levels stay correct: digest i overwrites bytes [32i, 32i+32), which belong
    // to pairs <= i/2, all already hashed.
    for (size_t i = 0; i < count; i++) hash_one(&g, in + i * stride, out + 32 * i);
}

void cb2_hash(const uint8_t *in, size_t len, uint8_t out[32]) {
    cb2_geometry g = cb2_geometry_of(len, 0, 0);
    hash_one(&g, in, out);
}
