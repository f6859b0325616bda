// cb2-bench: hashes per CPU-second of CBlake2b's batch functions, per implementation, against
// libsodium's per-call crypto_generichash on the same inputs in the same run. Takes no
// arguments. Also checks every implementation's digests against libsodium's (exit 1 if not).
//
// Cases are the shapes of a Walrus blob ID: inner Merkle nodes (65 bytes: 0x01 || left ||
// right), leaves of 2-byte symbols (3 bytes with the 0x00 prefix) and of 152-byte symbols
// (153 bytes, two blocks; the 32 MiB blob case). libsodium gets the prefixed messages already
// laid out contiguously, which is the most favourable set-up for it.
#include <CBlake2b.h>
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 4096        // messages per call: ~600 KB at most, so inputs stay in L2/L3
#define MIN_SECONDS 0.1   // per measurement; the best of REPS is kept (the machine is shared)
#define REPS 5

// CPU time of this thread, not wall time: the machine is shared, and time spent descheduled
// would otherwise be charged to whichever side happened to be running.
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const char *name;
    size_t len;      // caller bytes per message (symbol or node pair)
    int prefixed;    // 1: prefix byte hashed first
    uint8_t prefix;
    int merkle;      // 1: measured through cb2_merkle_level
} bench_case;

typedef struct {
    const bench_case *c;
    const uint8_t *msgs;      // BATCH messages of c->len bytes, stride c->len
    const uint8_t *prefixed;  // the same with the prefix byte in front, stride len + 1
    uint8_t *out;
} bench_input;

static volatile uint8_t sink;

static void run_cb2(const bench_input *in) {
    const bench_case *c = in->c;
    if (c->merkle)
        cb2_merkle_level(in->msgs, BATCH, in->out);
    else if (c->prefixed)
        cb2_hash_many_prefixed(c->prefix, in->msgs, c->len, c->len, BATCH, in->out);
    else
        cb2_hash_many(in->msgs, c->len, c->len, BATCH, in->out);
}

static void run_sodium(const bench_input *in) {
    size_t total = in->c->len + (size_t)(in->c->prefixed != 0);
    for (size_t i = 0; i < BATCH; i++)
        crypto_generichash(in->out + 32 * i, 32, in->prefixed + i * total, total, NULL, 0);
}

static void run_cb2_single(const bench_input *in) {
    size_t total = in->c->len + (size_t)(in->c->prefixed != 0);
    for (size_t i = 0; i < BATCH; i++) cb2_hash(in->prefixed + i * total, total, in->out + 32 * i);
}

// Hashes/s of one measurement of at least MIN_SECONDS.
static double rate(void (*fn)(const bench_input *), const bench_input *in) {
    size_t calls = 0;
    double t0 = now(), t;
    do {
        fn(in);
        calls++;
        t = now();
    } while (t - t0 < MIN_SECONDS);
    sink ^= in->out[0];
    return (double)(calls * BATCH) / (t - t0);
}

static double max(double a, double b) { return a > b ? a : b; }

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int main(void) {
    if (sodium_init() < 0) return 1;
    static const bench_case cases[] = {
        {"65 B (hash_many)", 65, 0, 0, 0},
        {"merkle pair 1+64 B", 64, 1, 0x01, 1},
        {"leaf 1+2 B", 2, 1, 0x00, 0},
        {"leaf 1+152 B", 152, 1, 0x00, 0},
    };
    static const char *impls[] = {"avx512", "avx2", "scalar"};
    printf("%-20s %-8s %12s %12s %8s %12s\n", "case", "impl", "cb2 Mh/s", "sodium Mh/s", "ratio",
           "cb2_hash Mh/s");
    uint64_t seed = 2026;
    int failures = 0;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const bench_case *c = &cases[ci];
        size_t total = c->len + (size_t)(c->prefixed != 0);
        uint8_t *msgs = malloc(BATCH * c->len + 1);
        uint8_t *prefixed = malloc(BATCH * total + 1);
        uint8_t *out = malloc(32 * BATCH);
        uint8_t *ref = malloc(32 * BATCH);
        for (size_t i = 0; i < BATCH * c->len; i++) msgs[i] = (uint8_t)splitmix64(&seed);
        for (size_t i = 0; i < BATCH; i++) {
            if (c->prefixed) prefixed[i * total] = c->prefix;
            memcpy(prefixed + i * total + (total - c->len), msgs + i * c->len, c->len);
        }
        bench_input in = {c, msgs, prefixed, ref};
        run_sodium(&in);
        in.out = out;
        for (size_t k = 0; k < sizeof impls / sizeof impls[0]; k++) {
            if (cb2_set_implementation(impls[k]) != 0) continue;
            run_cb2(&in);
            if (memcmp(out, ref, 32 * BATCH) != 0) {
                printf("MISMATCH: %s %s\n", c->name, impls[k]);
                failures++;
            }
            // Alternate with the peer so that both see the same machine load; keep each one's
            // best (least disturbed) measurement.
            double ours = 0, theirs = 0, single = 0;
            for (int r = 0; r < REPS; r++) {
                ours = max(ours, rate(run_cb2, &in));
                theirs = max(theirs, rate(run_sodium, &in));
                if (k == 0) single = max(single, rate(run_cb2_single, &in));
            }
            printf("%-20s %-8s %12.2f %12.2f %7.2fx", c->name, impls[k], ours / 1e6, theirs / 1e6,
                   ours / theirs);
            if (single > 0) printf(" %12.2f", single / 1e6);
            printf("\n");
            fflush(stdout);
        }
        cb2_set_implementation("auto");
        free(msgs);
        free(prefixed);
        free(out);
        free(ref);
    }
    return failures != 0;
}
