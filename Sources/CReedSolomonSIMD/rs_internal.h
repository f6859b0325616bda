// Declarations shared by the kernel files (not part of the module's public header).
#ifndef RS_INTERNAL_H
#define RS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define RS_TABLE(tables, log_factor) ((tables) + (size_t)(log_factor) * RS_MUL_TABLE_BYTES_PER_FACTOR)

#if defined(__x86_64__)
#define RS_KERNEL_DECLS(name)                                                                      \
    void rs_##name##_fft(uint8_t *const *shards, size_t sb, size_t pos, size_t src_pos, size_t size, \
                         size_t truncated, size_t skew_delta, const uint16_t *skew,                \
                         const uint8_t *tables);                                                   \
    void rs_##name##_ifft(uint8_t *const *shards, size_t sb, size_t pos, size_t size,              \
                          size_t truncated, size_t skew_delta, const uint16_t *skew,               \
                          const uint8_t *tables);                                                  \
    void rs_##name##_mul(uint8_t *x, size_t bytes, const uint8_t *table);
RS_KERNEL_DECLS(avx2)
RS_KERNEL_DECLS(gfni)
RS_KERNEL_DECLS(gfni512)

// Defines a kernel's exported entry points from the static functions rs_vector_kernel.inc made.
#define RS_KERNEL_ENTRY_POINTS(name)                                                               \
    void rs_##name##_fft(uint8_t *const *shards, size_t sb, size_t pos, size_t src_pos, size_t size, \
                         size_t truncated, size_t skew_delta, const uint16_t *skew,                \
                         const uint8_t *tables) {                                                  \
        name##_fft(shards, sb, pos, src_pos, size, truncated, skew_delta, skew, tables);           \
    }                                                                                              \
    void rs_##name##_ifft(uint8_t *const *shards, size_t sb, size_t pos, size_t size,              \
                          size_t truncated, size_t skew_delta, const uint16_t *skew,               \
                          const uint8_t *tables) {                                                 \
        name##_ifft(shards, sb, pos, size, truncated, skew_delta, skew, tables);                   \
    }                                                                                              \
    void rs_##name##_mul(uint8_t *x, size_t bytes, const uint8_t *table) {                         \
        name##_mul_shard(x, bytes, table);                                                         \
    }
#endif

#endif
