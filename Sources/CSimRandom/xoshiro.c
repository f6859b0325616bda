#include "CSimRandom.h"
#include <gsl/gsl_errno.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void xoshiro_set(void *vstate, unsigned long int seed) {
    csr_xoshiro_state *st = (csr_xoshiro_state *)vstate;
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++) st->s[i] = splitmix64(&x);
    // SplitMix64 never yields four zero words in a row, so the all-zero state cannot occur.
}

static unsigned long int xoshiro_get(void *vstate) {
    // GSL's integer interface is given the high 32 bits, like its other 32-bit generators, so
    // that functions assuming a 32-bit range behave; the Swift side reads all 64 bits directly.
    gsl_rng fake = { 0, vstate };
    return (unsigned long int)(csr_next_u64(&fake) >> 32);
}

static double xoshiro_get_double(void *vstate) {
    gsl_rng fake = { 0, vstate };
    return csr_next_double(&fake);
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256++", 0xffffffffUL, 0, sizeof(csr_xoshiro_state),
    &xoshiro_set, &xoshiro_get, &xoshiro_get_double
};

const gsl_rng_type *csr_xoshiro256pp(void) { return &xoshiro_type; }

void csr_disable_gsl_abort(void) { gsl_set_error_handler_off(); }
