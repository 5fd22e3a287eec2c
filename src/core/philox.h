/* The Philox block function inline, for loops that fill many blocks (the
 * microsimulation kernel); mkba_rng_block is the same function out of line. */
#ifndef MKBA_CORE_PHILOX_H
#define MKBA_CORE_PHILOX_H

#include <stdint.h>
#include <Random123/philox.h>

static inline void mkba_philox_block(uint64_t seed, uint32_t draw, uint32_t household,
                                     uint32_t purpose, uint32_t block, uint32_t out[4])
{
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t c = {{block, household, draw, purpose}};
    philox4x32_ctr_t r = philox4x32(c, k);
    out[0] = r.v[0];
    out[1] = r.v[1];
    out[2] = r.v[2];
    out[3] = r.v[3];
}

#endif
