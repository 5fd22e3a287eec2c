/* Command-line cases of the error-path tests: see support_cli.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "support_cli.h"
#include "support_run.h"

void support_cli_expand(const char *dir, const char *text, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = text; *p != '\0' && used + 1 < size;) {
        if (strncmp(p, "DIR", 3) == 0 && (p == text || p[-1] < 'A' || p[-1] > 'Z')) {
            used += (size_t)snprintf(out + used, size - used, "%s", dir);
            p += 3;
        } else {
            out[used++] = *p++;
        }
    }
    out[used < size ? used : size - 1] = '\0';
}

void support_cli_check(const char *dir, const support_cli_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char env[1024], args[1024], says[1024], cmd[3000], text[8192], output[512];
        support_cli_expand(dir, cases[i].env, env, sizeof env);
        support_cli_expand(dir, cases[i].args, args, sizeof args);
        support_cli_expand(dir, cases[i].says, says, sizeof says);
        if (cases[i].output != NULL) {
            support_cli_expand(dir, cases[i].output, output, sizeof output);
            remove(output);
        }
        /* Grouped, so args may send the program's output elsewhere. */
        snprintf(cmd, sizeof cmd, "{ %s '%s' %s </dev/null; } 2>&1", env, support_bin(), args);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t got = fread(text, 1, sizeof text - 1, p);
        text[got] = '\0';
        int status = pclose(p);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code != cases[i].code || strstr(text, says) == NULL)
            fail_msg("%s mkba %s: exit %d (expected %d), expected \"%s\" in: %s", env, args,
                     code, cases[i].code, says, text);
        /* Nor its temporary file, nor its lock. */
        static const char *const litter[] = { "", ".tmp", ".lock" };
        for (size_t l = 0; cases[i].output != NULL && l < 3; l++) {
            char left[600];
            snprintf(left, sizeof left, "%s%s", output, litter[l]);
            if (support_exists(left))
                fail_msg("%s mkba %s left %s behind", env, args, left);
        }
    }
}
