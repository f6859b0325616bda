// Public entry points and runtime dispatch.
#include "CBlake2b.h"
#include "internal.h"

#include <stdatomic.h>

typedef void (*many_fn)(const uint8_t *, size_t, size_t, size_t, uint8_t *, int, uint8_t);

enum { IMPL_UNSET = -1, IMPL_SCALAR = 0, IMPL_AVX2 = 1, IMPL_AVX512 = 2 };

static const char *const impl_names[] = {"scalar", "avx2", "avx512"};

// The only mutable global. Threads that race on the first call all compute and store the same
// value, so relaxed ordering is enough; a later cb2_set_implementation simply wins.
static _Atomic int chosen = IMPL_UNSET;

static int supported(int impl) {
    switch (impl) {
    case IMPL_SCALAR:
        return 1;
#if CB2_X86 && (defined(__clang__) || defined(__GNUC__))
    // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
    case IMPL_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
    case IMPL_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw");
#endif
    default:
        return 0;
    }
}

static int best_supported(void) {
    if (supported(IMPL_AVX512)) return IMPL_AVX512;
    if (supported(IMPL_AVX2)) return IMPL_AVX2;
    return IMPL_SCALAR;
}

static int current(void) {
    int impl = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (impl == IMPL_UNSET) {
        impl = best_supported();
        atomic_store_explicit(&chosen, impl, memory_order_relaxed);
    }
    return impl;
}

static int impl_named(const char *name) {
    for (int i = 0; i < 3; i++)
        if (strcmp(name, impl_names[i]) == 0) return i;
    return IMPL_UNSET;
}

static void run(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out,
                int has_prefix, uint8_t prefix) {
    if (count == 0) return;
    switch (current()) {
#if CB2_X86
    case IMPL_AVX512:
        cb2_many_avx512(in, stride, len, count, out, has_prefix, prefix);
        return;
    case IMPL_AVX2:
        cb2_many_avx2(in, stride, len, count, out, has_prefix, prefix);
        return;
#endif
    default:
        cb2_many_scalar(in, stride, len, count, out, has_prefix, prefix);
        return;
    }
}

void cb2_hash_many(const uint8_t *in, size_t stride, size_t len, size_t count, uint8_t *out) {
    run(in, stride, len, count, out, 0, 0);
}

void cb2_hash_many_prefixed(uint8_t prefix, const uint8_t *in, size_t stride, size_t len,
                            size_t count, uint8_t *out) {
    run(in, stride, len, count, out, 1, prefix);
}

void cb2_merkle_level(const uint8_t *nodes, size_t pairs, uint8_t *out) {
    // Every implementation reads a whole group of pairs before writing its digests, and group k
    // writes only bytes that belong to groups <= k, so out == nodes is safe.
    run(nodes, 64, 64, pairs, out, 1, 0x01);
}

const char *cb2_implementation(void) { return impl_names[current()]; }

int cb2_set_implementation(const char *name) {
    if (name == NULL || strcmp(name, "auto") == 0) {
        atomic_store_explicit(&chosen, best_supported(), memory_order_relaxed);
        return 0;
    }
    int impl = impl_named(name);
    if (impl == IMPL_UNSET || !supported(impl)) return -1;
    atomic_store_explicit(&chosen, impl, memory_order_relaxed);
    return 0;
}

int cb2_implementation_available(const char *name) {
    if (name == NULL) return 0;
    int impl = impl_named(name);
    return impl != IMPL_UNSET && supported(impl);
}
