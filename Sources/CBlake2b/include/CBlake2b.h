#ifndef WALRUS_SIM_CBLAKE2B_H
#define WALRUS_SIM_CBLAKE2B_H
// Multi-buffer BLAKE2b-256 (RFC 7693): many independent short messages hashed at once, one
// message per 64-bit SIMD lane (4 lanes with AVX2, 8 with AVX-512).
//
// Why: a Walrus blob ID at n = 1000 shards takes ~3 million BLAKE2b-256 calls (Merkle leaves
// `0x00 || symbol` and inner nodes `0x01 || left || right`), each on an input of one block or
// less. A per-call hash spends most of its time on call overhead and on one compression whose
// 12 rounds are a serial chain; hashing 4 or 8 messages side by side fills the vector units.
//
// Every digest here is plain BLAKE2b with a 32-byte digest: no key, no salt, no
// personalization. It equals libsodium's `crypto_generichash(out, 32, in, len, NULL, 0)` and
// Python's `hashlib.blake2b(data, digest_size=32)`, whichever implementation runs.
//
// Thread safety: every function may be called from any number of threads at once. The only
// shared state is the implementation choice (see cb2_implementation), held in an atomic.
//
// Memory: the functions read exactly the message bytes they are given (never the gaps between
// messages or past the last one) and write exactly `32 * count` bytes of `out`. Unless stated
// otherwise, `out` must not overlap the input.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Digest length in bytes of every hash in this library.
#define CB2_DIGEST_BYTES 32

/// Hashes `count` messages of `len` bytes each: message i is `in[i*stride ..< i*stride + len]`
/// and its digest goes to `out[32*i ..< 32*i + 32]`. Any stride works, even one below `len`
/// (messages are only read, so they may overlap). `len` may be anything, including 0 and
/// lengths of many blocks; all messages of one call share it, which keeps the lanes in
/// lock-step.
/// `in` may be NULL when `len == 0` or `count == 0`.
void cb2_hash_many(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out);

/// As cb2_hash_many, with one `prefix` byte hashed before each message:
/// digest_i = BLAKE2b-256(prefix || message_i). A Walrus Merkle leaf is prefix 0x00.
void cb2_hash_many_prefixed(uint8_t prefix, const uint8_t *in, size_t stride, size_t len,
                            size_t count, uint8_t *out);

/// One level of a Walrus Merkle tree: for i < pairs,
///   out[32i ..< 32i+32] = BLAKE2b-256(0x01 || nodes[64i ..< 64i+32] || nodes[64i+32 ..< 64i+64]).
/// In-place reduction is guaranteed: `out == nodes` is allowed (the level then shrinks into the
/// first half of the buffer). Any other overlap between `out` and `nodes` is not allowed.
/// A level of odd size is the caller's business (e.g. append the tree's padding node first);
/// this function only ever sees whole pairs. Throughput is best with many pairs per call:
/// lanes left over in the last group of 8 (or 4) are computed and thrown away.
void cb2_merkle_level(const uint8_t *nodes, size_t pairs, uint8_t *out);

/// BLAKE2b-256 of one message of any length, with the portable scalar code.
void cb2_hash(const uint8_t *in, size_t len, uint8_t out[32]);

/// The implementation the batch functions use: "avx512", "avx2" or "scalar". Chosen at first
/// use from what the CPU (and OS) supports, best first; all give identical digests.
const char *cb2_implementation(void);

/// Forces an implementation ("avx512", "avx2", "scalar"), or restores the automatic choice with
/// "auto" or NULL. Returns 0 on success, -1 if the name is unknown or the CPU cannot run it (the
/// choice is then unchanged). Meant for tests and benchmarks: it changes the choice for every
/// thread of the process.
int cb2_set_implementation(const char *name);

/// Whether this CPU can run the named implementation (1) or not (0; also for unknown names).
int cb2_implementation_available(const char *name);

#ifdef __cplusplus
}
#endif
#endif
