/* Household batches and chunks (engine.h): the households of a draw in
 * fixed batches for Monte Carlo standard errors, each cut into chunks that
 * threads take. Both depend on the household count only, so every number
 * is the same for any thread count. */
#include "core/alloc.h"
#include "engine/engine.h"

int mkba_batches(long households)
{
    long b = households / MKBA_MIN_BATCH;
    return b >= MKBA_RESULT_BATCHES ? MKBA_RESULT_BATCHES : b < 1 ? 1 : (int)b;
}

int mkba_chunks_init(mkba_chunks *c, long households, long chunk)
{
    const long H = households, B = mkba_batches(households);
    c->nbatches = (int)B;
    c->n = 0;
    for (long b = 0; b < B; b++)
        c->n += (H * (b + 1) / B - H * b / B + chunk - 1) / chunk;
    c->h0 = mkba_malloc(((size_t)c->n + 1) * sizeof *c->h0);
    c->batch = mkba_malloc(((size_t)c->n + 1) * sizeof *c->batch);
    if (c->h0 == NULL || c->batch == NULL)
        return MKBA_ENOMEM;
    long i = 0;
    for (long b = 0; b < B; b++)
        for (long h = H * b / B, h1 = H * (b + 1) / B; h < h1; h += chunk, i++) {
            c->h0[i] = h;
            c->batch[i] = (int)b;
        }
    c->h0[i] = H;
    return MKBA_OK;
}

void mkba_chunks_free(mkba_chunks *c)
{
    mkba_free(c->h0);
    mkba_free(c->batch);
    c->h0 = NULL;
    c->batch = NULL;
}
