// Hot loops of the ReedSolomon fast engine: GF(2^16) butterflies over shards stored in
// reed-solomon-simd's 64-byte chunk layout (32 low bytes, then 32 high bytes, per 32 elements).
//
// Every function computes exactly the same bytes whichever kernel runs it; kernels differ only in
// instructions. Shard sizes are multiples of 64 bytes; shard pointers need no alignment (a shard
// may live in the caller's output buffer), though 64-byte aligned ones are faster.
#ifndef C_REED_SOLOMON_SIMD_H
#define C_REED_SOLOMON_SIMD_H

#include <stddef.h>
#include <stdint.h>

/// Instruction set used by a call. Higher values need more CPU features.
typedef enum {
    RS_KERNEL_SCALAR = 0,  // portable C, table lookups per byte
    RS_KERNEL_AVX2 = 1,    // 32-byte pshufb nibble tables (like reed-solomon-simd's Avx2 engine)
    RS_KERNEL_GFNI = 2,    // AVX2 + GFNI: one 8x8 bit-matrix multiply per byte plane pair
    RS_KERNEL_GFNI512 = 3, // AVX-512 + GFNI: the same with a whole 64-byte chunk per register
} rs_kernel;

/// The best kernel this CPU runs.
rs_kernel rs_best_kernel(void);
/// Whether this CPU can run `kernel`.
int rs_kernel_supported(rs_kernel kernel);

/// Bytes of the table built by `rs_build_mul_tables`: per log factor, 128 bytes of nibble tables
/// then 32 bytes of GFNI matrices.
#define RS_MUL_TABLE_BYTES_PER_FACTOR 160
#define RS_MUL_TABLE_BYTES (65536 * RS_MUL_TABLE_BYTES_PER_FACTOR)

/// Fills `tables` (RS_MUL_TABLE_BYTES) from the field's EXP and LOG tables (65536 entries each).
/// For log factor `m`: bytes [0,64) are low-byte products of x<<4i (i = 0..3, 16 entries each),
/// bytes [64,128) the high-byte products; bytes [128,160) are four GF(2) 8x8 matrices
/// (low->low, high->low, low->high, high->high) in GF2P8AFFINEQB row order. Factor 65535
/// ("multiply by zero") gets all-zero tables.
void rs_build_mul_tables(const uint16_t *exp, const uint16_t *log, uint8_t *tables);

/// Forward FFT on shards [pos, pos + size) of the shard table `shards` (each `shard_bytes` long):
/// layers dist = size/2 .. 1; butterfly (a, b) with log factor m = skew[r + dist + skew_delta - 1]:
/// a ^= b * m (skipped if m == 65535); b ^= a; only blocks r < truncated. The input is read from
/// shards [src_pos, src_pos + size) (src_pos == pos: in place), which saves a copy when one
/// transform input feeds several outputs; sources are left untouched if src_pos != pos.
void rs_fft(rs_kernel kernel, uint8_t *const *shards, size_t shard_bytes, size_t pos, size_t src_pos,
            size_t size, size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables);

/// Inverse FFT in place: layers dist = 1 .. size/2; butterfly b ^= a; a ^= b * m (skipped if
/// m == 65535).
void rs_ifft(rs_kernel kernel, uint8_t *const *shards, size_t shard_bytes, size_t pos, size_t size,
             size_t truncated, size_t skew_delta, const uint16_t *skew, const uint8_t *tables);

/// x *= element(log_factor), in place over `bytes` bytes.
void rs_mul(rs_kernel kernel, uint8_t *x, size_t bytes, uint16_t log_factor, const uint8_t *tables);

/// Walsh-Hadamard transform modulo 65535 of `data` (65536 entries) in radix-4 steps, touching
/// only blocks that start below `truncated` (entries past it must be zero for an exact result).
void rs_fwht(uint16_t *data, size_t truncated);

/// Evaluates the erasure locator of Leopard decoding in place (spec §9.6 step 3): `erasures`
/// (65536 entries, 1 = erased or absent, 0 = present or known zero) becomes, per position, the
/// log of the locator polynomial there: fwht(truncated), multiply by LOG_WALSH mod 65535, fwht.
void rs_eval_locator(uint16_t *erasures, size_t truncated, const uint16_t *log_walsh);

/// x ^= y over `bytes` bytes.
void rs_xor(uint8_t *x, const uint8_t *y, size_t bytes);

/// Converts a row of `symbol_count` symbols of `symbol_bytes` bytes each (rs-simd layout per
/// symbol, spec §9.3) into one shard in chunk layout. Elements keep their order when
/// `symbol_bytes` is a multiple of 64 (a plain copy); otherwise every symbol's whole 64-byte
/// blocks come first, then all symbols' half-block tails (any fixed order works, since each
/// element position is an independent codeword). Padding elements get unspecified values. `staging` is scratch of at least
/// RS_STAGING_BYTES(shard bytes) bytes (unused when `symbol_bytes` is a multiple of 64).
void rs_pack_row(uint8_t *shard, const uint8_t *row, size_t symbol_bytes, size_t symbol_count,
                 uint8_t *staging);
/// The inverse of `rs_pack_row`; writes exactly `symbol_bytes * symbol_count` bytes of `row`.
void rs_unpack_row(uint8_t *row, const uint8_t *shard, size_t symbol_bytes, size_t symbol_count,
                   uint8_t *staging);
/// Staging bytes `rs_pack_row`/`rs_unpack_row` need for a shard of `shard_bytes` bytes.
#define RS_STAGING_BYTES(shard_bytes) ((shard_bytes) + 64)

#endif
