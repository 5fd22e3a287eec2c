/* Counter-based random streams (Philox4x32-10 from Random123).
 *
 * A stream is named by (seed, draw, household, purpose): the numbers it
 * gives never depend on which thread or process asks for them, so results
 * are identical for any thread count or split of work. */
#ifndef MKBA_RNG_H
#define MKBA_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Stream purposes: distinct counter spaces for distinct uses. */
enum {
    MKBA_STREAM_HOUSEHOLD = 1, /* transitions and initial states of one household */
    MKBA_STREAM_PARAMS = 2,    /* parameter draws of one PSA draw */
    MKBA_STREAM_SERVICE = 3,   /* help seeking, detection and self-reliance of
                                  one household: apart from its transitions, so
                                  services that do nothing change no state */
    MKBA_STREAM_ENTRANT = 4,   /* an entrant of an open population: household
                                  = its number within its year, blocks from
                                  year x the blocks of one household */
    MKBA_STREAM_ENTRANT_COUNT = 5 /* how many entrants a year has (household =
                                     the year): the rounding of the inflow */
};

/* Philox4x32-10 as a gsl_rng_type, so GSL's distributions can draw from it.
 * gsl_rng_set(r, s) starts stream (s, 0, 0, MKBA_STREAM_PARAMS); use
 * mkba_rng_set_stream to name a stream fully. Period per stream: 2^64 draws. */
extern const gsl_rng_type *mkba_rng_philox;

/* Points r (allocated with mkba_rng_philox) at the start of a stream. */
void mkba_rng_set_stream(gsl_rng *r, uint64_t seed, uint32_t draw,
                         uint32_t household, uint32_t purpose);

/* The raw block function: four 32-bit words for counter block `block` of
 * the stream (seed, draw, household, purpose). Pure and thread-safe. */
void mkba_rng_block(uint64_t seed, uint32_t draw, uint32_t household,
                    uint32_t purpose, uint32_t block, uint32_t out[4]);

/* Maps a 32-bit word to a double strictly inside (0, 1). */
static inline double mkba_rng_u01(uint32_t x)
{
    return ((double)x + 0.5) * (1.0 / 4294967296.0);
}

#endif
