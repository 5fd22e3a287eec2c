/* The string helpers: the optimal string alignment distance against values
 * worked out by hand, and the ranking of "did you mean" suggestions:
 * case-insensitive matches first, then fewer edits with case, then the
 * closer length, then list order; nothing when nothing is close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "core/strutil.h"

#define N(a) (sizeof(a) / sizeof *(a))

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(mkba_name_distance("", "", 0), 0);
    assert_int_equal(mkba_name_distance("", "abc", 0), 3);
    assert_int_equal(mkba_name_distance("abc", "", 1), 3);
    assert_int_equal(mkba_name_distance("kitten", "sitting", 0), 3);
    /* One swap of neighbours is one edit (Levenshtein counts two). */
    assert_int_equal(mkba_name_distance("nwe", "new", 0), 1);
    assert_int_equal(mkba_name_distance("p_wrose", "p_worse", 0), 1);
    /* Optimal string alignment edits each character once: "ca" -> "abc"
     * is 3, not the 2 of unrestricted Damerau-Levenshtein. */
    assert_int_equal(mkba_name_distance("ca", "abc", 0), 3);
    assert_int_equal(mkba_name_distance("N_AB", "n_ab", 0), 3);
    assert_int_equal(mkba_name_distance("N_AB", "n_ab", 1), 0);
    assert_int_equal(mkba_name_distance("n_Ab", "n_AB", 0), 1);
    assert_int_equal(mkba_name_distance("n_Ab", "n_Ax", 0), 1);
    assert_int_equal(mkba_name_distance("n_Ab", "n_Ax", 1), 1);
    /* Up to MKBA_NAME_DISTANCE_MAX characters in b, on the stack; longer
     * compares as no distance at all, and is never suggested. */
    char b[MKBA_NAME_DISTANCE_MAX + 2];
    memset(b, 'x', sizeof b - 1);
    b[MKBA_NAME_DISTANCE_MAX] = '\0';
    assert_int_equal(mkba_name_distance("", b, 0), MKBA_NAME_DISTANCE_MAX);
    assert_int_equal(mkba_name_distance(b, b, 1), 0);
    b[MKBA_NAME_DISTANCE_MAX] = 'x';
    b[MKBA_NAME_DISTANCE_MAX + 1] = '\0';
    assert_true(mkba_name_distance(b, b, 0) == (size_t)-1);
    const char *const longer[] = { b };
    assert_null(mkba_closest_name(b, longer, 1));
}

static void test_case_first(void **state)
{
    (void)state;
    /* All three are one edit away with case; only n_AB matches ignoring
     * case, and it is not listed first. */
    const char *const names[] = {"n_Ax", "m_Ab", "n_AB"};
    assert_string_equal(mkba_closest_name("n_Ab", names, N(names)), "n_AB");
    /* A case-only difference beats one real edit even with more case
     * changes: "HOUSEHOLDS" is 10 edits with case. */
    const char *const runs[] = {"householdz", "HOUSEHOLDS"};
    assert_string_equal(mkba_closest_name("households", runs, N(runs)), "HOUSEHOLDS");
    /* Two case-insensitive matches: the one with fewer case changes. */
    const char *const debts[] = {"DEBT", "Debt", "debt"};
    assert_string_equal(mkba_closest_name("debT", debts, N(debts)), "debt");
}

static void test_ties(void **state)
{
    (void)state;
    /* One edit each; "seen" has the same length as "seed". */
    const char *const seeds[] = {"see", "seeds", "seen"};
    assert_string_equal(mkba_closest_name("seed", seeds, N(seeds)), "seen");
    /* A full tie: the entry listed first. */
    const char *const twins[] = {"dept", "debs"};
    assert_string_equal(mkba_closest_name("debt", twins, N(twins)), "dept");
    /* A swap is one edit, a substitution pair two. */
    const char *const arms[] = {"now", "new"};
    assert_string_equal(mkba_closest_name("nwe", arms, N(arms)), "new");
}

static void test_limits(void **state)
{
    (void)state;
    const char *const keys[] = {"seed", "draws", "households", "base_case"};
    assert_null(mkba_closest_name("horizon", keys, N(keys)));
    assert_null(mkba_closest_name("x", keys, 0));
    /* At most max(2, len / 3) edits: 4 for a 12-letter name. */
    const char *const timing[] = {"cycle", "horizon", "discount_time"};
    assert_string_equal(mkba_closest_name("discont_time", timing, N(timing)), "discount_time");
    assert_string_equal(mkba_closest_name("DISCOUNT_TYME", timing, N(timing)), "discount_time");
    /* 4 edits are too many for a 9-letter name (at most 3). */
    assert_null(mkba_closest_name("discnt_tm", timing, N(timing)));
    /* NULL entries are skipped. */
    const char *const sparse[] = {NULL, "draws", NULL};
    assert_string_equal(mkba_closest_name("drawz", sparse, N(sparse)), "draws");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_case_first),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
