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
#define MKBA_PHILOX_PASS 64  /* the most blocks of one pass of mkba_philox_rounds */

/* The ten rounds on m <= MKBA_PHILOX_PASS counters c0..c3[i] in place,
 * with key seed (rng.c). On a processor with AVX2 eight blocks go through
 * all rounds in registers (hand-vectorised); elsewhere the compiler
 * vectorises a loop across blocks (also when MKBA_NO_SIMD=1, core/simd.h).
 * Integer arithmetic: the same words. */
void mkba_philox_rounds(uint64_t seed, uint32_t m, uint32_t *restrict c0,
                        uint32_t *restrict c1, uint32_t *restrict c2, uint32_t *restrict c3);

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
 * nh - 1, or of list[0 .. nh - 1] when list is not NULL (purpose, draw,
 * seed as above) into out[4 * nb * nh], household by household: the same
 * words as mkba_philox_blocks for each household.
 * Passes run across households, one block number at a time, which spreads
 * a call's cost over many blocks where one household needs only a few. */
static inline void mkba_philox_households(uint64_t seed, uint32_t draw, uint32_t purpose,
                                          uint32_t first, uint32_t nb, uint32_t h0,
                                          const uint32_t *list, uint32_t nh, uint32_t *out)
{
    for (uint32_t j = 0; j < nb; j++)
        for (uint32_t i0 = 0; i0 < nh; i0 += MKBA_PHILOX_PASS) {
            uint32_t m = nh - i0 < MKBA_PHILOX_PASS ? nh - i0 : MKBA_PHILOX_PASS;
            uint32_t c0[MKBA_PHILOX_PASS], c1[MKBA_PHILOX_PASS];
            uint32_t c2[MKBA_PHILOX_PASS], c3[MKBA_PHILOX_PASS];
            for (uint32_t i = 0; i < m; i++) {
                c0[i] = first + j;
                c1[i] = list != NULL ? list[i0 + i] : h0 + i0 + i;
                c2[i] = draw;
                c3[i] = purpose;
            }
            mkba_philox_rounds(seed, m, c0, c1, c2, c3);
            uint32_t *o = out + 4 * ((size_t)i0 * nb + j);
            for (uint32_t i = 0; i < m; i++) {
                o[4 * nb * i] = c0[i];
                o[4 * nb * i + 1] = c1[i];
                o[4 * nb * i + 2] = c2[i];
                o[4 * nb * i + 3] = c3[i];
            }
        }
}

#endif
