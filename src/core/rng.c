/* Philox4x32-10 streams keyed by (seed, draw, household, purpose).
 *
 * Key: the 64-bit seed. Counter: (block, household, draw, purpose). Each
 * block gives four 32-bit words; a stream can therefore serve 2^34 words,
 * far more than one household or one draw's parameters ever needs. */
#include "mkba/rng.h"
#include "core/philox.h"

#if defined(__GNUC__) && defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define MKBA_PHILOX_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef MKBA_PHILOX_CLONES
#define MKBA_PHILOX_CLONES
#endif

MKBA_PHILOX_CLONES
void mkba_philox_rounds(uint64_t seed, uint32_t m, uint32_t *restrict c0, uint32_t *restrict c1,
                        uint32_t *restrict c2, uint32_t *restrict c3)
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

void mkba_rng_block(uint64_t seed, uint32_t draw, uint32_t household,
                    uint32_t purpose, uint32_t block, uint32_t out[4])
{
    mkba_philox_blocks(seed, draw, household, purpose, block, 1, out);
}

typedef struct philox_state {
    uint64_t seed;
    uint32_t draw, household, purpose, block;
    uint32_t buf[4];
    int used;               /* words of buf already handed out */
} philox_state;

void mkba_rng_set_stream(gsl_rng *r, uint64_t seed, uint32_t draw,
                         uint32_t household, uint32_t purpose)
{
    philox_state *s = r->state;
    s->seed = seed;
    s->draw = draw;
    s->household = household;
    s->purpose = purpose;
    s->block = 0;
    s->used = 4;
}

static void philox_set(void *vstate, unsigned long seed)
{
    philox_state *s = vstate;
    s->seed = (uint64_t)seed;
    s->draw = 0;
    s->household = 0;
    s->purpose = MKBA_STREAM_PARAMS;
    s->block = 0;
    s->used = 4;
}

static unsigned long philox_get(void *vstate)
{
    philox_state *s = vstate;
    if (s->used == 4) {
        mkba_rng_block(s->seed, s->draw, s->household, s->purpose, s->block++, s->buf);
        s->used = 0;
    }
    return s->buf[s->used++];
}

static double philox_get_double(void *vstate)
{
    return mkba_rng_u01((uint32_t)philox_get(vstate));
}

static const gsl_rng_type philox_type = {
    "mkba-philox4x32-10", 0xffffffffUL, 0, sizeof(philox_state),
    philox_set, philox_get, philox_get_double
};

const gsl_rng_type *mkba_rng_philox = &philox_type;
