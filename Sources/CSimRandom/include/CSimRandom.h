#ifndef WALRUS_SIM_CSIMRANDOM_H
#define WALRUS_SIM_CSIMRANDOM_H
// The simulator's uniform generator, xoshiro256++ (Blackman & Vigna, 2019), registered as a GSL
// generator type so that every GSL distribution can draw from it.
//
// Why not GSL's own mt19937: it keeps only 32 bits of its seed, and a run has thousands of
// streams (one per node, per component); seeds derived from (run seed, component, index) would
// then collide with a probability of about 1% per 10,000 streams. xoshiro256++ is seeded with
// all 64 bits (expanded to 256 bits of state by SplitMix64), is about 3x faster, and passes
// BigCrush. Its output is a pure function of the seed on every platform.
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct { uint64_t s[4]; } csr_xoshiro_state;

/// The GSL generator type backed by xoshiro256++. `gsl_rng_set` takes the full 64-bit seed.
const gsl_rng_type *csr_xoshiro256pp(void);

static inline uint64_t csr_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// The next 64 raw bits of the generator behind `r` (which must be a `csr_xoshiro256pp` one).
static inline uint64_t csr_next_u64(gsl_rng *r) {
    uint64_t *s = ((csr_xoshiro_state *)r->state)->s;
    const uint64_t result = csr_rotl(s[0] + s[3], 23) + s[0];
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = csr_rotl(s[3], 45);
    return result;
}

/// A double in [0, 1) with 53 random bits.
static inline double csr_next_double(gsl_rng *r) { return (double)(csr_next_u64(r) >> 11) * 0x1.0p-53; }

/// Silences GSL's default error handler, which aborts the process. Parameters are validated
/// before they reach GSL; this only turns a missed case into a NaN instead of a crash.
void csr_disable_gsl_abort(void);
#endif
