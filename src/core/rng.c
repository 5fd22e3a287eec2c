/* Philox4x32-10 streams keyed by (seed, draw, household, purpose).
 *
 * Key: the 64-bit seed. Counter: (block, household, draw, purpose). Each
 * block gives four 32-bit words; a stream can therefore serve 2^34 words,
 * far more than one household or one draw's parameters ever needs. */
#include "mkba/rng.h"
#include "core/philox.h"
#include "core/simd.h"

/* The portable rounds: the compiler vectorises the loop across blocks. */
static void rounds_portable(uint64_t seed, uint32_t m, uint32_t *restrict c0,
                            uint32_t *restrict c1, uint32_t *restrict c2, uint32_t *restrict c3)
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

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define MKBA_PHILOX_AVX2 1

/* High and low words of the 32 x 32-bit products of the eight lanes of a
 * with m: even lanes from one widening multiply, odd lanes from another. */
__attribute__((target("avx2"))) static inline void mul_hilo(__m256i a, __m256i m, __m256i *hi,
                                                           __m256i *lo)
{
    __m256i even = _mm256_mul_epu32(a, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* Eight blocks through all ten rounds in registers. */
__attribute__((target("avx2"))) static void rounds8(uint64_t seed, uint32_t *c0, uint32_t *c1,
                                                   uint32_t *c2, uint32_t *c3)
{
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u);
    const __m256i m2 = _mm256_set1_epi32((int)0xCD9E8D57u);
    const __m256i w0 = _mm256_set1_epi32((int)0x9E3779B9u); /* the Weyl key schedule */
    const __m256i w1 = _mm256_set1_epi32((int)0xBB67AE85u);
    __m256i k0 = _mm256_set1_epi32((int)(uint32_t)seed);
    __m256i k1 = _mm256_set1_epi32((int)(uint32_t)(seed >> 32));
    __m256i a0 = _mm256_loadu_si256((const __m256i *)c0);
    __m256i a1 = _mm256_loadu_si256((const __m256i *)c1);
    __m256i a2 = _mm256_loadu_si256((const __m256i *)c2);
    __m256i a3 = _mm256_loadu_si256((const __m256i *)c3);
    for (int round = 0; round < 10; round++) {
        __m256i hi0, lo0, hi2, lo2;
        mul_hilo(a0, m0, &hi0, &lo0);
        mul_hilo(a2, m2, &hi2, &lo2);
        a0 = _mm256_xor_si256(_mm256_xor_si256(hi2, a1), k0);
        a2 = _mm256_xor_si256(_mm256_xor_si256(hi0, a3), k1);
        a1 = lo2;
        a3 = lo0;
        k0 = _mm256_add_epi32(k0, w0);
        k1 = _mm256_add_epi32(k1, w1);
    }
    _mm256_storeu_si256((__m256i *)c0, a0);
    _mm256_storeu_si256((__m256i *)c1, a1);
    _mm256_storeu_si256((__m256i *)c2, a2);
    _mm256_storeu_si256((__m256i *)c3, a3);
}

/* Eight blocks at a time; a last partial eight through zero-padded copies. */
__attribute__((target("avx2"))) static void rounds_avx2(uint64_t seed, uint32_t m, uint32_t *c0,
                                                       uint32_t *c1, uint32_t *c2, uint32_t *c3)
{
    uint32_t i = 0;
    for (; i + 8 <= m; i += 8)
        rounds8(seed, c0 + i, c1 + i, c2 + i, c3 + i);
    if (i < m) {
        uint32_t t0[8] = {0}, t1[8] = {0}, t2[8] = {0}, t3[8] = {0};
        for (uint32_t j = 0; j < m - i; j++) {
            t0[j] = c0[i + j];
            t1[j] = c1[i + j];
            t2[j] = c2[i + j];
            t3[j] = c3[i + j];
        }
        rounds8(seed, t0, t1, t2, t3);
        for (uint32_t j = 0; j < m - i; j++) {
            c0[i + j] = t0[j];
            c1[i + j] = t1[j];
            c2[i + j] = t2[j];
            c3[i + j] = t3[j];
        }
    }
}
#endif

void mkba_philox_rounds(uint64_t seed, uint32_t m, uint32_t *restrict c0, uint32_t *restrict c1,
                        uint32_t *restrict c2, uint32_t *restrict c3)
{
#ifdef MKBA_PHILOX_AVX2
    if (mkba_simd_avx2()) {
        rounds_avx2(seed, m, c0, c1, c2, c3);
        return;
    }
#endif
    rounds_portable(seed, m, c0, c1, c2, c3);
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
