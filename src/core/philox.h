/* Philox4x32-10 (Salmon et al. 2011, as in Random123) for a run of
 * consecutive counter blocks at once. Blocks are independent, so each
 * round is one loop across them over arrays of words: the compiler turns
 * it into SIMD (32 x 32 -> 64-bit multiplies are in SSE2), which makes a
 * household's blocks about twice as cheap as one block at a time.
 * mkba_rng_block is this function for one block; test_rng checks it
 * against Random123's known answers. */
#ifndef MKBA_CORE_PHILOX_H
#define MKBA_CORE_PHILOX_H

#include <stdint.h>

#define MKBA_PHILOX_BATCH 32 /* blocks per pass; the kernel needs about 25 */

/* The ten rounds on m counters c0..c3[i] in place, with key seed. */
static inline void mkba_philox_rounds(uint64_t seed, uint32_t m, uint32_t *restrict c0,
                                      uint32_t *restrict c1, uint32_t *restrict c2,
                                      uint32_t *restrict c3)
{
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        for (uint32_t i = 0; i < m; i++) {
            uint64_t p0 = (uint64_t)0xD2511F53u * c0[i];
            uint64_t p2 = (uint64_t)0xCD9E8D57u * c2[i];
            uint32_t x0 = (uint32_t)(p2 >> 32) ^ c1[i] ^ k0;
            uint32_t x2 = (uint32_t)(p0 >> 32) ^ c3[i] ^ k1;
            c1[i] = (uint32_t)p2;
            c3[i] = (uint32_t)p0;
            c0[i] = x0;
            c2[i] = x2;
        }
        k0 += 0x9E3779B9u; /* the Weyl key schedule */
        k1 += 0xBB67AE85u;
    }
}

/* Blocks first .. first + n - 1 of the stream (seed, draw, household,
 * purpose) into out[4 * n]; counter (block, household, draw, purpose),
 * key (low, high word of seed). */
static inline void mkba_philox_blocks(uint64_t seed, uint32_t draw, uint32_t household,
                                      uint32_t purpose, uint32_t first, uint32_t n,
                                      uint32_t *out)
{
    for (uint32_t b0 = 0; b0 < n; b0 += MKBA_PHILOX_BATCH) {
        uint32_t m = n - b0 < MKBA_PHILOX_BATCH ? n - b0 : MKBA_PHILOX_BATCH;
        uint32_t c0[MKBA_PHILOX_BATCH], c1[MKBA_PHILOX_BATCH];
        uint32_t c2[MKBA_PHILOX_BATCH], c3[MKBA_PHILOX_BATCH];
        for (uint32_t i = 0; i < m; i++) {
            c0[i] = first + b0 + i;
            c1[i] = household;
            c2[i] = draw;
            c3[i] = purpose;
        }
        mkba_philox_rounds(seed, m, c0, c1, c2, c3);
        for (uint32_t i = 0; i < m; i++) {
            out[4 * (b0 + i)] = c0[i];
            out[4 * (b0 + i) + 1] = c1[i];
            out[4 * (b0 + i) + 2] = c2[i];
            out[4 * (b0 + i) + 3] = c3[i];
        }
    }
}

/* Blocks first .. first + nb - 1 of the streams of households h0 .. h0 +
 * nh - 1 (purpose, draw, seed as above) into out[4 * nb * nh], household
 * by household: the same words as mkba_philox_blocks for each household,
 * in passes across households, which spreads the call's cost over many
 * blocks where one household needs only a few. */
static inline void mkba_philox_households(uint64_t seed, uint32_t draw, uint32_t purpose,
                                          uint32_t first, uint32_t nb, uint32_t h0,
                                          uint32_t nh, uint32_t *out)
{
    const uint32_t n = nb * nh;
    uint32_t block = 0, household = h0;
    for (uint32_t b0 = 0; b0 < n; b0 += MKBA_PHILOX_BATCH) {
        uint32_t m = n - b0 < MKBA_PHILOX_BATCH ? n - b0 : MKBA_PHILOX_BATCH;
        uint32_t c0[MKBA_PHILOX_BATCH], c1[MKBA_PHILOX_BATCH];
        uint32_t c2[MKBA_PHILOX_BATCH], c3[MKBA_PHILOX_BATCH];
        for (uint32_t i = 0; i < m; i++) {
            c0[i] = first + block;
            c1[i] = household;
            c2[i] = draw;
            c3[i] = purpose;
            if (++block == nb) {
                block = 0;
                household++;
            }
        }
        mkba_philox_rounds(seed, m, c0, c1, c2, c3);
        for (uint32_t i = 0; i < m; i++) {
            out[4 * (b0 + i)] = c0[i];
            out[4 * (b0 + i) + 1] = c1[i];
            out[4 * (b0 + i) + 2] = c2[i];
            out[4 * (b0 + i) + 3] = c3[i];
        }
    }
}

#endif
