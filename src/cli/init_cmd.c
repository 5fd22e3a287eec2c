/* `mkba init [--template NAME] FILE.cfg`: writes a commented starting
 * scenario that passes `mkba check`, for a new user to edit. The templates
 * are the table `templates` (tests/unit/test_report_cli.c checks each). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "args.h"

/* minimal: a debt-help team against the nulalternatief, one domain, round
 * placeholder numbers (docs/tutorial.md walks through it). NAME is replaced
 * by the file's name. */
static const char template_minimal[] =
    "# A starting scenario written by `mkba init` (template minimal): a\n"
    "# debt-help team for households with problematic debts, against the\n"
    "# present way of working (the nulalternatief). Every number below is a\n"
    "# placeholder with a round value: replace it with your own figure and its\n"
    "# source (docs/scenario.md lists every setting; docs/tutorial.md walks\n"
    "# through this file). Check it with `mkba check FILE`, run it with\n"
    "# `mkba run FILE` and look at `mkba report results/NAME.h5`.\n"
    "mkba_format = 1;\n"
    "name = \"NAME\";\n"
    "description = \"debt-help team against the nulalternatief\";\n"
    "price_year = 2024;\n"
    "\n"
    "# Households simulated per PSA draw, and draws (0: the base case only).\n"
    "run = { seed = 1; draws = 200; households = 500; };\n"
    "\n"
    "# Five years in yearly cycles; Dutch MKBA discount rate 2.25% (Werkwijzer).\n"
    "timing = { cycle = \"year\"; horizon = 5; };\n"
    "discount = { costs = 0.0225; effects = 0.0225; };\n"
    "\n"
    "# Who pays and who gains. Names starting with gemeente count for the\n"
    "# municipality.\n"
    "payers = ( \"gemeente-schuldhulp\", \"gemeente-participatiewet\",\n"
    "           { name = \"woningcorporatie\"; category = \"indirect\"; }, \"huishouden\" );\n"
    "\n"
    "# Effects: quality of life, and earnings the household gains once out of\n"
    "# debt (money, so it counts in the net present value).\n"
    "effects = ( { name = \"qaly\"; unit = \"QALY\"; },\n"
    "            { name = \"earnings\"; unit = \"EUR\"; monetary = true; payer = \"huishouden\"; } );\n"
    "\n"
    "# The nulalternatief and the alternative: the team helps more households\n"
    "# out of debt each year.\n"
    "arms = ( { name = \"nulalternatief\"; reference = true; },\n"
    "         { name = \"schuldhulpteam\"; overrides = { p_recover = \"p_recover_team\"; }; } );\n"
    "\n"
    "parameters = {\n"
    "  # Yearly chances (beta distributions: mean alpha / (alpha + beta)).\n"
    "  p_recover      = { dist = \"beta\"; alpha = 15.0; beta = 85.0; source = \"placeholder: 15% a year\"; };\n"
    "  p_recover_team = { dist = \"beta\"; alpha = 30.0; beta = 70.0; source = \"placeholder: 30% a year\"; };\n"
    "  p_evicted      = { dist = \"beta\"; alpha = 4.0; beta = 96.0; source = \"placeholder: 4% a year\"; };\n"
    "  p_relapse      = { dist = \"beta\"; alpha = 5.0; beta = 95.0; source = \"placeholder: 5% a year\"; };\n"
    "  # Money per household per year (gamma: mean shape x scale), in EUR 2024.\n"
    "  cost_team      = { dist = \"gamma\"; shape = 16.0; scale = 100.0; unit = \"EUR/year\"; source = \"placeholder\"; };\n"
    "  cost_benefit   = { dist = \"gamma\"; shape = 25.0; scale = 300.0; unit = \"EUR/year\"; source = \"placeholder: bijstand\"; };\n"
    "  cost_eviction  = { dist = \"gamma\"; shape = 16.0; scale = 500.0; unit = \"EUR\"; source = \"placeholder\"; };\n"
    "  gain_work      = { dist = \"gamma\"; shape = 16.0; scale = 150.0; unit = \"EUR/year\"; source = \"placeholder: extra earnings\"; };\n"
    "  u_debt         = { dist = \"beta\"; alpha = 10.0; beta = 90.0; source = \"placeholder: QALY lost a year in debt\"; };\n"
    "};\n"
    "\n"
    "domains = (\n"
    "  { name = \"debt\"; states = ( \"debt\", \"resolved\", { name = \"evicted\"; absorbing = true; } );\n"
    "    initial = { state = \"debt\"; };\n"
    "    transitions = ( { from = \"debt\"; probabilities = { resolved = \"p_recover\"; evicted = \"p_evicted\"; }; },\n"
    "                    { from = \"resolved\"; probabilities = { debt = \"p_relapse\"; }; } );\n"
    "  }\n"
    ");\n"
    "\n"
    "costs = (\n"
    "  # The team, paid by the municipality, for households still in debt.\n"
    "  { domain = \"debt\"; state = \"debt\"; arms = [ \"schuldhulpteam\" ]; payer = \"gemeente-schuldhulp\"; per_year = \"cost_team\"; },\n"
    "  # Income support while in debt: a transfer to the household.\n"
    "  { domain = \"debt\"; state = \"debt\"; payer = \"gemeente-participatiewet\"; transfer_to = \"huishouden\"; per_year = \"cost_benefit\"; },\n"
    "  # An eviction, once.\n"
    "  { domain = \"debt\"; enter = \"evicted\"; payer = \"woningcorporatie\"; once = \"cost_eviction\"; }\n"
    ");\n"
    "\n"
    "effect_values = (\n"
    "  { effect = \"qaly\"; per_year = 0.8; },\n"
    "  { effect = \"qaly\"; domain = \"debt\"; state = \"debt\"; per_year = \"-u_debt\"; },\n"
    "  { effect = \"earnings\"; domain = \"debt\"; state = \"resolved\"; per_year = \"gain_work\"; }\n"
    ");\n";

static const struct {
    const char *name, *text;
} templates[] = {
    { "minimal", template_minimal },
};

static const char init_help[] =
    "Usage: mkba init [--template minimal] [--force] NAME.cfg\n"
    "\n"
    "Writes a commented starting scenario NAME.cfg that passes mkba check:\n"
    "  minimal   a debt-help team against the nulalternatief (one life domain,\n"
    "            costs per payer, a transfer, QALYs and earnings); every number a\n"
    "            placeholder with a source to replace\n"
    "For services (teams, queues, pathways) start from scenarios/pathways/.\n"
    "\n"
    "  --template NAME     the template (default minimal)\n"
    "  --force             replace an existing file\n"
    "\n"
    "Example (docs/tutorial.md):\n"
    "  mkba init schuldhulp.cfg && mkba check schuldhulp.cfg &&\n"
    "    mkba run schuldhulp.cfg\n";

/* The scenario name for FILE: its base name without .cfg. */
static void scenario_name(const char *file, char *buf, size_t size)
{
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    snprintf(buf, size, "%.*s", (int)n, base);
}

/* Writes text to f with every NAME replaced by name. */
static void fill_template(FILE *f, const char *text, const char *name)
{
    for (const char *p = text; *p;) {
        const char *at = strstr(p, "NAME");
        size_t n = at != NULL ? (size_t)(at - p) : strlen(p);
        fwrite(p, 1, n, f);
        p += n;
        if (at != NULL) {
            fputs(name, f);
            p += 4;
        }
    }
}

/* Writes the template to a temporary file beside `file` and puts it in
 * place only when complete: with force by rename (replacing a regular
 * file only), without by link (which fails when the file exists). 0, or -1
 * with the message printed and the user's file untouched. */
static int write_template(const char *file, const char *text, const char *name, int force)
{
    struct stat st;
    if (stat(file, &st) == 0 && (!force || !S_ISREG(st.st_mode))) {
        fprintf(stderr, "mkba: cannot write %s: %s\n", file,
                !S_ISREG(st.st_mode) ? "it is not a regular file"
                                     : "it exists (--force replaces it)");
        return -1;
    }
    size_t n = strlen(file);
    char *tmp = malloc(n + sizeof ".tmp-XXXXXX");
    if (tmp == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return -1;
    }
    memcpy(tmp, file, n);
    memcpy(tmp + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "mkba: cannot write %s: %s\n", file, strerror(errno));
        if (fd >= 0) {
            close(fd);
            remove(tmp);
        }
        free(tmp);
        return -1;
    }
    /* mkstemp makes the file private; give it the mode a new file gets. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    fill_template(f, text, name);
    int failed = ferror(f) != 0, e = errno;
    if (fclose(f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed && (force ? rename(tmp, file) : link(tmp, file)) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed)
        fprintf(stderr, "mkba: cannot write %s: %s%s\n", file, strerror(e),
                e == EEXIST ? " (--force replaces it)" : "");
    remove(tmp);              /* after link, or after a failure; gone after rename */
    free(tmp);
    return failed ? -1 : 0;
}

/* 0 when name can stand in a libconfig string and a file name as it is;
 * else -1 with a message (the name comes from the file's name). */
static int check_name(const char *file, const char *name)
{
    for (const char *p = name; *p; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            fprintf(stderr, "mkba: cannot use %s: the scenario's name comes from the file "
                    "name ('%s') and may not hold a quote, a backslash or a control "
                    "character; name the file with letters, digits, - and _\n", file, name);
            return -1;
        }
    if (name[0] == '\0') {
        fprintf(stderr, "mkba: cannot use %s: it gives the scenario no name\n", file);
        return -1;
    }
    return 0;
}

int mkba_cli_init(int argc, char **argv)
{
    const char *file = NULL, *tpl = "minimal";
    int force = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int k;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(init_help, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--template", NULL, &v)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
            tpl = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return mkba_cli_usage_error("unknown option '%s' for init", a);
        } else if (file != NULL) {
            return mkba_cli_usage_error("init writes one file; unexpected '%s'", a);
        } else {
            file = a;
        }
    }
    if (file == NULL)
        return mkba_cli_usage_error("%s", "init needs the name of the scenario file to write");
    const char *text = NULL;
    for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++)
        if (strcmp(templates[t].name, tpl) == 0)
            text = templates[t].text;
    if (text == NULL)
        return mkba_cli_usage_error("--template expects minimal, got '%s'", tpl);
    char name[256];
    scenario_name(file, name, sizeof name);
    if (check_name(file, name) < 0 || write_template(file, text, name, force) < 0)
        return EXIT_ERROR;
    fprintf(stderr, "mkba: wrote %s; next: mkba check %s\n", file, file);
    return EXIT_OK;
}
