/* Philox4x32-10 streams keyed by (seed, draw, household, purpose).
 *
 * Key: the 64-bit seed. Counter: (block, household, draw, purpose). Each
 * block gives four 32-bit words; a stream can therefore serve 2^34 words,
 * far more than one household or one draw's parameters ever needs. */
#include "mkba/rng.h"
#include "core/philox.h"

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
