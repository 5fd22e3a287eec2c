/* The chart manifest reader of the report (src/report/manifest.c): a good
 * manifest read member by member (unknown members skipped whatever their
 * value, \u escapes decoded to UTF-8), and each way a manifest can be bad
 * refused with the whole message, including the byte offset where the
 * reader stopped, worked out by hand from the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "report/manifest.h"

static void test_good(void **state)
{
    (void)state;
    const char *text =
        " [ {\"id\": \"a\", \"file\": \"a.png\", \"section\": \"s\", \"heading\": \"H\",\n"
        "     \"axes\": {\"x\": [1, -2.5e3, true, null, false, {}, []]},\n"
        "     \"title\": \"\\u00e9\\ud83d\\ude00\\n\\\"q\\\"\"},\n"
        "   {\"file\": \"b.png\", \"section\": \"t\", \"id\": \"b\", \"id\": \"ignored\"} ]\n";
    mkba_chart *c = NULL;
    size_t n = 0;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_manifest_parse(text, strlen(text), "m.json", &c, &n, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].id, "a");
    assert_string_equal(c[0].file, "a.png");
    assert_string_equal(c[0].section, "s");
    assert_string_equal(c[0].heading, "H");
    /* U+00E9 is C3 A9, U+1F600 (a surrogate pair) F0 9F 98 80. */
    assert_string_equal(c[0].title, "\xC3\xA9\xF0\x9F\x98\x80\n\"q\"");
    assert_string_equal(c[0].alt, "");
    /* The first of a doubled member is kept. */
    assert_string_equal(c[1].id, "b");
    assert_string_equal(c[1].heading, "");
    mkba_manifest_free(c, n);

    /* An empty list is no chart. */
    assert_int_equal(mkba_manifest_parse(" [ ] \n", 6, "m.json", &c, &n, &err), MKBA_OK);
    assert_int_equal(n, 0);
    mkba_manifest_free(c, n);
}

/* Each bad manifest, what the reader says and the byte where it stopped
 * (counted from 0 in the text as written here). */
static const struct {
    const char *text;
    const char *what;
    size_t at;
} bad[] = {
    /* No list: the first byte is the fault. */
    { "{}", "expected '['", 0 },
    /* The key runs to the end. */
    { "[{\"id", "an unterminated string", 5 },
    /* \q in a kept value: the value is decoded after its closing quote
     * (byte 12), so the reader stands on the byte after it. */
    { "[{\"id\":\"a\\qb\"}]", "a bad escape", 13 },
    /* \u12G4: the G is byte 12. */
    { "[{\"id\":\"\\u12G4\"}]", "a bad \\u escape", 12 },
    /* \uD800 then x: the four hex digits end at byte 13. */
    { "[{\"id\":\"\\uD800x\"}]", "a \\u escape of a high surrogate without its low one", 14 },
    { "[{\"id\":\"\\u0000\"}]", "a \\u escape of a lone low surrogate or of U+0000", 14 },
    /* Sixteen '[' at bytes 6-21 nest an unknown member's value 16 deep;
     * the 17th level is refused where it would start. */
    { "[{\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}]", "nesting too deep", 22 },
    { "[{\"x\":", "a missing value", 6 },
    { "[{\"x\":@}]", "an unexpected character", 6 },
    /* Both chart checks come after the chart's closing brace (byte 25, 42). */
    { "[{\"id\":\"a\",\"file\":\"a.png\"}]", "a chart without \"section\"", 26 },
    { "[{\"id\":\"a\",\"file\":\"../x.png\",\"section\":\"s\"}]",
      "an image name that is not a plain file name", 43 },
    { "[] x", "text after the list", 3 },
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mkba_chart *c = (mkba_chart *)&c;
        size_t n = 99;
        mkba_error err;
        mkba_error_clear(&err);
        int rc = mkba_manifest_parse(bad[i].text, strlen(bad[i].text), "m.json", &c, &n, &err);
        char want[300];
        snprintf(want, sizeof want, "m.json: not a chart manifest: %s at byte %zu", bad[i].what,
                 bad[i].at);
        if (rc != MKBA_EPARSE || err.code != MKBA_EPARSE || strcmp(err.message, want) != 0)
            fail_msg("case %zu (%s): status %d, \"%s\" (expected \"%s\")", i, bad[i].text, rc,
                     err.message, want);
        assert_null(c);
        assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests_name("chart manifest", tests, NULL, NULL);
}
