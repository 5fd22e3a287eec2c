/* Philox streams: published known answers, stream independence from the
 * order of use, and GSL's distributions drawing through the gsl_rng type. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <Random123/philox.h>
#include "mkba/rng.h"
#include "core/philox.h"
#include "core/simd.h"

/* Known-answer vectors of Random123's kat_vectors for philox4x32-10. */
static void test_known_answers(void **state)
{
    (void)state;
    uint32_t out[4];
    mkba_rng_block(0, 0, 0, 0, 0, out);
    assert_int_equal(out[0], 0x6627e8d5u);
    assert_int_equal(out[1], 0xe169c58du);
    assert_int_equal(out[2], 0xbc57ac4cu);
    assert_int_equal(out[3], 0x9b00dbd8u);
    mkba_rng_block(UINT64_MAX, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, out);
    assert_int_equal(out[0], 0x408f276du);
    assert_int_equal(out[1], 0x41c83b0eu);
    assert_int_equal(out[2], 0xa20bc7c6u);
    assert_int_equal(out[3], 0x6d5451fdu);
    /* key (a4093822, 299f31d0), counter (243f6a88, 85a308d3, 13198a2e, 03707344) */
    mkba_rng_block(0x299f31d0a4093822ull, 0x13198a2eu, 0x85a308d3u, 0x03707344u, 0x243f6a88u, out);
    assert_int_equal(out[0], 0xd16cfe09u);
    assert_int_equal(out[1], 0x94fdccebu);
    assert_int_equal(out[2], 0x5001e420u);
    assert_int_equal(out[3], 0x24126ea1u);
}

static void test_gsl_type_is_the_block_stream(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(mkba_rng_philox);
    assert_non_null(r);
    mkba_rng_set_stream(r, 12345, 3, 17, MKBA_STREAM_PARAMS);
    uint32_t block[4];
    for (uint32_t b = 0; b < 3; b++) {
        mkba_rng_block(12345, 3, 17, MKBA_STREAM_PARAMS, b, block);
        for (int i = 0; i < 4; i++)
            assert_int_equal(gsl_rng_get(r), block[i]);
    }
    /* Restarting the stream repeats it exactly. */
    mkba_rng_set_stream(r, 12345, 3, 17, MKBA_STREAM_PARAMS);
    mkba_rng_block(12345, 3, 17, MKBA_STREAM_PARAMS, 0, block);
    assert_int_equal(gsl_rng_get(r), block[0]);
    gsl_rng_free(r);
}

/* Uniforms through GSL: mean 1/2 and variance 1/12 within 4 standard errors,
 * and a Gaussian sampler with the right first two moments. */
static void test_moments_through_gsl(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(mkba_rng_philox);
    mkba_rng_set_stream(r, 2024, 1, 0, MKBA_STREAM_PARAMS);
    const int n = 200000;
    double s = 0, s2 = 0, g = 0, g2 = 0;
    for (int i = 0; i < n; i++) {
        double u = gsl_rng_uniform(r);
        assert_true(u > 0.0 && u < 1.0);
        s += u;
        s2 += u * u;
        double z = gsl_ran_gaussian_ziggurat(r, 2.0);
        g += z;
        g2 += z * z;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    assert_true(fabs(mean - 0.5) < 4.0 * sqrt(1.0 / 12.0 / n));
    assert_true(fabs(var - 1.0 / 12.0) < 4.0 * sqrt(1.0 / 180.0 / n));
    assert_true(fabs(g / n) < 4.0 * 2.0 / sqrt(n));
    assert_true(fabs(g2 / n - 4.0) < 4.0 * sqrt(32.0 / n));
    gsl_rng_free(r);
}

/* The kernel's batched Philox equals Random123's philox4x32 block by block,
 * for random keys and counters and for runs that cross a batch boundary. */
static void test_batched_blocks_match_random123(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(mkba_rng_philox);
    mkba_rng_set_stream(r, 77, 0, 0, MKBA_STREAM_PARAMS);
    uint32_t out[4 * 3 * MKBA_PHILOX_BATCH];
    const uint32_t lengths[] = {1, 3, MKBA_PHILOX_BATCH - 1, MKBA_PHILOX_BATCH,
                                MKBA_PHILOX_BATCH + 5, 3 * MKBA_PHILOX_BATCH};
    for (int trial = 0; trial < 200; trial++) {
        uint64_t seed = (uint64_t)gsl_rng_get(r) << 32 | gsl_rng_get(r);
        uint32_t draw = (uint32_t)gsl_rng_get(r), household = (uint32_t)gsl_rng_get(r);
        uint32_t purpose = (uint32_t)gsl_rng_get(r), first = (uint32_t)gsl_rng_get(r);
        uint32_t n = lengths[trial % 6];
        mkba_philox_blocks(seed, draw, household, purpose, first, n, out);
        philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
        for (uint32_t b = 0; b < n; b++) {
            philox4x32_ctr_t c = {{first + b, household, draw, purpose}};
            philox4x32_ctr_t want = philox4x32(c, k);
            for (int i = 0; i < 4; i++)
                assert_int_equal(out[4 * b + (uint32_t)i], want.v[i]);
        }
    }
    gsl_rng_free(r);
}

/* The passes across households (a range or a list) give each household the
 * words of its own stream, for counts around the pass size and partial
 * groups of eight. */
static void test_household_passes_match_blocks(void **state)
{
    (void)state;
    enum { MAXH = 2 * MKBA_PHILOX_PASS + 3, MAXB = 5 };
    static uint32_t out[4 * MAXB * MAXH];
    uint32_t one[4 * MAXB];
    const uint32_t counts[] = {1, 7, 9, MKBA_PHILOX_PASS, MKBA_PHILOX_PASS + 1, MAXH};
    for (int trial = 0; trial < 24; trial++) {
        uint64_t seed = UINT64_C(0x9E3779B97F4A7C15) * (uint64_t)(trial + 1);
        uint32_t nb = 1 + (uint32_t)trial % MAXB, nh = counts[trial % 6];
        uint32_t h0 = 1000u * (uint32_t)trial, first = 17u * (uint32_t)trial;
        mkba_philox_households(seed, (uint32_t)trial, 3, first, nb, h0, NULL, nh, out);
        for (uint32_t i = 0; i < nh; i++) {
            mkba_philox_blocks(seed, (uint32_t)trial, h0 + i, 3, first, nb, one);
            assert_memory_equal(out + 4 * nb * i, one, 4 * nb * sizeof *one);
        }
        /* A list: every third household, backwards. */
        uint32_t list[MAXH];
        for (uint32_t i = 0; i < nh; i++)
            list[i] = h0 + 3 * (nh - i);
        mkba_philox_households(seed, (uint32_t)trial, 3, first, nb, 0, list, nh, out);
        for (uint32_t i = 0; i < nh; i++) {
            mkba_philox_blocks(seed, (uint32_t)trial, list[i], 3, first, nb, one);
            assert_memory_equal(out + 4 * nb * i, one, 4 * nb * sizeof *one);
        }
    }
}

/* The generic rounds (forced, as MKBA_NO_SIMD=1 does) pass the same
 * known answers and Random123 comparisons as the path the processor picks. */
static void test_generic_path_matches_random123(void **state)
{
    mkba_simd_allow(0);
    assert_int_equal(mkba_simd_avx2(), 0);
    test_known_answers(state);
    test_batched_blocks_match_random123(state);
    test_household_passes_match_blocks(state);
    mkba_simd_allow(1);
}

/* Both paths give the same words for every pass length 1 .. MKBA_PHILOX_PASS
 * (whole eights and every partial eight). Without AVX2 there is one path. */
static void test_avx2_and_generic_rounds_agree(void **state)
{
    (void)state;
    mkba_simd_allow(1);
    if (!mkba_simd_avx2())
        skip();
    gsl_rng *r = gsl_rng_alloc(mkba_rng_philox);
    mkba_rng_set_stream(r, 5, 0, 0, MKBA_STREAM_PARAMS);
    for (uint32_t m = 1; m <= MKBA_PHILOX_PASS; m++) {
        uint32_t a[4][MKBA_PHILOX_PASS], g[4][MKBA_PHILOX_PASS];
        uint64_t seed = (uint64_t)gsl_rng_get(r) << 32 | gsl_rng_get(r);
        for (int w = 0; w < 4; w++)
            for (uint32_t i = 0; i < m; i++)
                a[w][i] = g[w][i] = (uint32_t)gsl_rng_get(r);
        mkba_philox_rounds(seed, m, a[0], a[1], a[2], a[3]);
        mkba_simd_allow(0);
        mkba_philox_rounds(seed, m, g[0], g[1], g[2], g[3]);
        mkba_simd_allow(1);
        for (int w = 0; w < 4; w++)
            assert_memory_equal(a[w], g[w], m * sizeof a[w][0]);
    }
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_gsl_type_is_the_block_stream),
        cmocka_unit_test(test_moments_through_gsl),
        cmocka_unit_test(test_batched_blocks_match_random123),
        cmocka_unit_test(test_household_passes_match_blocks),
        cmocka_unit_test(test_generic_path_matches_random123),
        cmocka_unit_test(test_avx2_and_generic_rounds_agree),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
