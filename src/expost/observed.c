/* The observed-data CSV reader (docs/expost.md, "Data format"): a header
 * naming the columns, then one row per observed figure. Every row is
 * checked against the scenario (years within the horizon, arms, metrics,
 * domains, teams and payers it has, numbers that make sense) and a bad one
 * is an error naming the file, line and column. A pure function of the
 * text, so a fuzz target can call it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "expost/observed.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "analysis/breakeven.h"

const mkba_expost_metric_def mkba_expost_metrics[MKBA_METRIC_N] = {
#define MKBA_EXPOST_DEF_(id, name, unit, key, svc, money, lik, noise, counterpart, rule) \
    { name, unit, key, svc, money, lik, noise, counterpart, rule },
    MKBA_EXPOST_METRICS(MKBA_EXPOST_DEF_)
#undef MKBA_EXPOST_DEF_
};

/* The columns, listed once; the first four are required. */
enum { COL_YEAR = 0, COL_ARM, COL_METRIC, COL_VALUE, COL_N, COL_SE, COL_DOMAIN, COL_TEAM,
       COL_PAYER, COL_FUND, COL_TAAKVELD, NCOLS };
static const char *const column_name[NCOLS] = { "year", "arm", "metric", "value", "n",
                                                "se", "domain", "team", "payer", "fund",
                                                "taakveld" };
#define NREQUIRED 4
#define COLUMNS "year,arm,metric,value,n,se,domain,team,payer,fund,taakveld"

/* The longest line and the most rows a file may have. */
#define MAX_LINE 4096
#define MAX_ROWS 1000000

void mkba_observed_free(mkba_observed *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++) {
        mkba_free(o->obs[i].label);
        mkba_free(o->obs[i].payers);
    }
    mkba_free(o->obs);
    mkba_free(o->file);
    mkba_free(o);
}

/* The reader's position, for messages. */
typedef struct reader {
    const char *file;
    int line;
    int where[NCOLS];          /* 1-based field number of each column, 0: absent */
    mkba_error *err;
} reader;

static int fail(const reader *r, int col, const char *fmt, const char *a, const char *b)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a, b);
    if (col < 0)
        return mkba_error_set(r->err, MKBA_EPARSE, "%s:%d: %s", r->file, r->line, msg);
    return mkba_error_set(r->err, MKBA_EPARSE, "%s:%d: column %d (%s): %s", r->file, r->line,
                          r->where[col], column_name[col], msg);
}

/* A quoting fault split found: the field (1-based) and the character of
 * the line (1-based) where it is, and what is wrong. */
typedef struct split_fault {
    int field, at;
    const char *what;
} split_fault;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Splits line[0..len) into fields at commas (RFC 4180, one line), each
 * NUL-terminated in buf (len + 1 bytes): an unquoted field is trimmed of
 * blanks; a field whose first non-blank character is a double quote runs
 * to the closing quote, keeps commas and blanks inside verbatim and reads
 * "" as one quote. Returns the number of fields, -1 when there are more
 * than max, or -2 with *fault set: a quote left open, text after a closing
 * quote, or a quote inside an unquoted field. */
static int split(const char *line, size_t len, char *buf, char **field, int max,
                 split_fault *fault)
{
    char *out = buf;
    size_t i = 0;
    for (int n = 0;; n++) {
        if (n == max)
            return -1;
        while (i < len && is_blank(line[i]))
            i++;
        field[n] = out;
        if (i < len && line[i] == '"') {
            size_t open = i++;
            for (;;) {
                if (i == len) {
                    *fault = (split_fault){ n + 1, (int)open + 1, "the quote opened here is "
                                            "not closed on the line" };
                    return -2;
                }
                if (line[i] == '"') {
                    if (!(i + 1 < len && line[i + 1] == '"'))
                        break;
                    i++;        /* "" is one quote */
                }
                *out++ = line[i++];
            }
            for (i++; i < len && is_blank(line[i]); i++)
                ;
            if (i < len && line[i] != ',') {
                *fault = (split_fault){ n + 1, (int)i + 1, "text after the closing quote" };
                return -2;
            }
        } else {
            for (; i < len && line[i] != ','; i++) {
                if (line[i] == '"') {
                    *fault = (split_fault){ n + 1, (int)i + 1, "a quote inside a field that "
                                            "does not start with one" };
                    return -2;
                }
                *out++ = line[i];
            }
            while (out > field[n] && is_blank(out[-1]))
                out--;
        }
        *out++ = '\0';
        if (i == len)
            return n + 1;
        i++;                    /* the comma */
    }
}

void mkba_observed_write_field(FILE *f, const char *s)
{
    size_t l = strlen(s);
    int quote = l > 0 && (is_blank(s[0]) || is_blank(s[l - 1]) || s[0] == '#');
    for (size_t i = 0; i < l && !quote; i++)
        quote = s[i] == ',' || s[i] == '"';
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < l; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* "did you mean" text for name among names, into buf. */
static const char *closest(const char *name, const char *const *names, size_t n, char *buf,
                           size_t size)
{
    const char *near = mkba_closest_name(name, names, n);
    if (near == NULL)
        buf[0] = '\0';
    else
        snprintf(buf, size, " (did you mean '%s'?)", near);
    return buf;
}

static int parse_header(reader *r, char **field, int nf)
{
    for (int c = 0; c < NCOLS; c++)
        r->where[c] = 0;
    for (int i = 0; i < nf; i++) {
        int c = 0;
        while (c < NCOLS && strcmp(field[i], column_name[c]) != 0)
            c++;
        if (c == NCOLS) {
            char near[300];
            closest(field[i], column_name, NCOLS, near, sizeof near);
            return mkba_error_set(r->err, MKBA_EPARSE, "%s:%d: column %d: unknown column "
                                  "'%s'%s; the columns are " COLUMNS, r->file, r->line, i + 1,
                                  field[i], near);
        }
        if (r->where[c] != 0)
            return fail(r, -1, "the column '%s' is named twice%s", column_name[c], "");
        r->where[c] = i + 1;
    }
    for (int c = 0; c < NREQUIRED; c++)
        if (r->where[c] == 0)
            return fail(r, -1, "the header has no column '%s'; the columns are "
                        "year,arm,metric,value and optionally n,se,domain,team,payer,fund,"
                        "taakveld%s", column_name[c], "");
    return MKBA_OK;
}

/* A finite number filling the whole field; else an error. */
static int number(const reader *r, int col, const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    /* Decimal notation only: strtod alone would read 0x10 as 16. */
    int decimal = s[strspn(s, "0123456789+-.eE")] == '\0';
    double v = strtod(s, &end);
    if (*s == '\0' || !decimal || end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return fail(r, col, "'%s' is not a decimal number%s", s,
                    strchr(s, ';') != NULL ? " (use commas between fields and decimal points)"
                                           : "");
    *out = v;
    return MKBA_OK;
}

/* The index of name among n names, or an error naming the closest. */
static int find_name(const reader *r, int col, const char *what, const char *name,
                     const char *const *names, size_t n, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) {
            *out = (int)i;
            return MKBA_OK;
        }
    char near[300], msg[400];
    closest(name, names, n, near, sizeof near);
    snprintf(msg, sizeof msg, "is not %s of the scenario%s", what, near);
    return fail(r, col, "'%s' %s", name, msg);
}

static int domain_of(const reader *r, const mkba_model *m, const char *name, int *out)
{
    const char *names[MKBA_MAX_DOMAINS];
    for (size_t d = 0; d < m->ndomains; d++)
        names[d] = m->domain[d].name;
    return find_name(r, COL_DOMAIN, "a domain", name, names, m->ndomains, out);
}

/* The label (a fund or a taakveld, as column col names it) among the
 * scenario's budget lines: *payer becomes the first payer with that label,
 * or an error names the closest label the lines have. */
static int budget_label(const reader *r, const mkba_model *m, int col, const char *name,
                        int *payer)
{
    char *const *label = col == COL_FUND ? m->population.fund : m->population.taakveld;
    const char *what = column_name[col];
    const char **names = mkba_malloc((m->npayers > 0 ? m->npayers : 1) * sizeof *names);
    if (names == NULL)
        return mkba_error_set(r->err, MKBA_ENOMEM, "out of memory");
    size_t n = 0;
    *payer = -1;
    for (size_t p = 0; p < m->npayers; p++) {
        if (label == NULL || label[p] == NULL || label[p][0] == '\0')
            continue;
        if (*payer < 0 && strcmp(label[p], name) == 0)
            *payer = (int)p;
        size_t k = 0;
        while (k < n && strcmp(names[k], label[p]) != 0)
            k++;
        if (k == n)
            names[n++] = label[p];
    }
    int rc = MKBA_OK;
    if (*payer < 0 && n == 0) {
        rc = fail(r, col, "'%s': the scenario's budget_lines (population block) give no "
                  "payer a %s; give its payers' spending instead", name, what);
    } else if (*payer < 0) {
        char near[300], msg[400];
        closest(name, names, n, near, sizeof near);
        snprintf(msg, sizeof msg, "is not a %s of the scenario's budget_lines%s", what, near);
        rc = fail(r, col, "'%s' %s", name, msg);
    }
    mkba_free(names);
    return rc;
}

/* The budget line a budget row names, a fund, a taakveld or both (the
 * payers on both), into o->fund, o->taakveld and o->payers. */
static int budget_line(const reader *r, const mkba_model *m, const char *fund,
                       const char *taakveld, mkba_observation *o)
{
    if (fund[0] == '\0' && taakveld[0] == '\0')
        return r->where[COL_FUND] == 0 && r->where[COL_TAAKVELD] == 0
                   ? fail(r, -1, "the metric budget needs a fund or a taakveld: add the "
                          "column fund or taakveld%s%s", "", "")
                   : fail(r, r->where[COL_FUND] ? COL_FUND : COL_TAAKVELD, "the metric budget "
                          "needs a fund or a taakveld of the scenario's budget_lines%s%s", "",
                          "");
    int rc = MKBA_OK;
    if (fund[0] != '\0')
        rc = budget_label(r, m, COL_FUND, fund, &o->fund);
    if (rc == MKBA_OK && taakveld[0] != '\0')
        rc = budget_label(r, m, COL_TAAKVELD, taakveld, &o->taakveld);
    if (rc != MKBA_OK)
        return rc;
    if ((o->payers = mkba_calloc(m->npayers > 0 ? m->npayers : 1, 1)) == NULL)
        return mkba_error_set(r->err, MKBA_ENOMEM, "out of memory");
    const mkba_population *pop = &m->population;
    size_t on = 0;
    for (size_t p = 0; p < m->npayers; p++) {
        o->payers[p] = (unsigned char)((o->fund < 0
                                        || strcmp(pop->fund[p], pop->fund[o->fund]) == 0)
                                       && (o->taakveld < 0
                                           || strcmp(pop->taakveld[p],
                                                     pop->taakveld[o->taakveld]) == 0));
        on += o->payers[p];
    }
    if (on == 0)
        return fail(r, COL_TAAKVELD, "no payer of the scenario's budget_lines is on both the "
                    "fund '%s' and this taakveld '%s'; name one of them", fund, taakveld);
    return MKBA_OK;
}

/* The key column of metric k in fields f into o. */
static int read_key(const reader *r, const mkba_model *m, char **f, mkba_observation *o)
{
    const mkba_expost_metric_def *def = &mkba_expost_metrics[o->metric];
    const char *dom = r->where[COL_DOMAIN] ? f[r->where[COL_DOMAIN] - 1] : "";
    const char *team = r->where[COL_TEAM] ? f[r->where[COL_TEAM] - 1] : "";
    const char *payer = r->where[COL_PAYER] ? f[r->where[COL_PAYER] - 1] : "";
    const char *fund = r->where[COL_FUND] ? f[r->where[COL_FUND] - 1] : "";
    const char *taakveld = r->where[COL_TAAKVELD] ? f[r->where[COL_TAAKVELD] - 1] : "";
    int want_line = def->key == MKBA_KEY_BUDGET_LINE;
    int want_dom = def->key == MKBA_KEY_DOMAIN || def->key == MKBA_KEY_STATE
                   || def->key == MKBA_KEY_DOMAIN_OPTIONAL;
    int want_team = def->key == MKBA_KEY_TEAM_OPTIONAL, want_payer = def->key == MKBA_KEY_PAYER;
    if (!want_dom && dom[0] != '\0')
        return fail(r, COL_DOMAIN, "the metric %s has no domain; leave it empty (got '%s')",
                    def->name, dom);
    if (!want_team && team[0] != '\0')
        return fail(r, COL_TEAM, "the metric %s has no team; leave it empty (got '%s')",
                    def->name, team);
    if (!want_payer && payer[0] != '\0')
        return fail(r, COL_PAYER, want_line ? "the metric %s has no payer (it names a fund "
                    "or taakveld, whose payers the budget_lines give); leave it empty (got "
                    "'%s')" : "the metric %s has no payer; leave it empty (got '%s')",
                    def->name, payer);
    if (!want_line && fund[0] != '\0')
        return fail(r, COL_FUND, "the metric %s has no fund (budget figures have one); leave "
                    "it empty (got '%s')", def->name, fund);
    if (!want_line && taakveld[0] != '\0')
        return fail(r, COL_TAAKVELD, "the metric %s has no taakveld (budget figures have "
                    "one); leave it empty (got '%s')", def->name, taakveld);
    if (want_line)
        return budget_line(r, m, fund, taakveld, o);
    if (want_dom && dom[0] == '\0' && def->key != MKBA_KEY_DOMAIN_OPTIONAL)
        return r->where[COL_DOMAIN] == 0
                   ? fail(r, -1, "the metric %s needs a domain column (%s)", def->name,
                          def->key == MKBA_KEY_STATE ? "DOMAIN/STATE" : "a domain name")
                   : fail(r, COL_DOMAIN, "the metric %s needs a domain (%s)", def->name,
                          def->key == MKBA_KEY_STATE ? "DOMAIN/STATE" : "a domain name");
    if (want_payer && payer[0] == '\0')
        return r->where[COL_PAYER] == 0
                   ? fail(r, -1, "the metric %s needs a payer column%s", def->name, "")
                   : fail(r, COL_PAYER, "the metric %s needs a payer%s", def->name, "");
    int rc = MKBA_OK;
    if (def->key == MKBA_KEY_DOMAIN_OPTIONAL && dom[0] != '\0') {
        rc = domain_of(r, m, dom, &o->domain);
    } else if (def->key == MKBA_KEY_DOMAIN) {
        rc = domain_of(r, m, dom, &o->domain);
        if (rc == MKBA_OK && o->metric == MKBA_METRIC_ESCALATIONS) {
            const mkba_domain *d = &m->domain[o->domain];
            int s = 0;
            while (s < d->nstates && !d->state[s].second_line)
                s++;
            if (s == d->nstates)
                rc = fail(r, COL_DOMAIN, "the domain '%s' has no second-line state, so no "
                          "escalations%s", dom, "");
        }
    } else if (def->key == MKBA_KEY_STATE) {
        char name[256];
        const char *slash = strchr(dom, '/');
        size_t len = slash != NULL ? (size_t)(slash - dom) : 0;
        if (slash == NULL || len >= sizeof name || slash[1] == '\0')
            return fail(r, COL_DOMAIN, "'%s' is not DOMAIN/STATE or DOMAIN/STATE+ (e.g. "
                        "work_income/medium+)%s", dom, "");
        memcpy(name, dom, len);
        name[len] = '\0';
        rc = domain_of(r, m, name, &o->domain);
        if (rc != MKBA_OK)
            return rc;
        const mkba_domain *d = &m->domain[o->domain];
        snprintf(name, sizeof name, "%s", slash + 1);
        size_t sl = strlen(name);
        int plus = sl > 0 && name[sl - 1] == '+';
        if (plus)
            name[sl - 1] = '\0';
        const char *states[MKBA_MAX_STATES];
        for (int s = 0; s < d->nstates; s++)
            states[s] = d->state[s].name;
        int s = 0;
        rc = find_name(r, COL_DOMAIN, "a state of the domain", name, states,
                       (size_t)d->nstates, &s);
        o->state_lo = s;
        o->state_hi = plus ? d->nstates - 1 : s;
    } else if (want_team && team[0] != '\0') {
        const mkba_services *sv = &m->services;
        const char *names[MKBA_MAX_TEAMS];
        for (size_t t = 0; t < sv->nteams; t++)
            names[t] = sv->team[t].name;
        rc = find_name(r, COL_TEAM, "a team", team, names, sv->nteams, &o->team);
        if (rc == MKBA_OK && !(sv->pathway[o->arm].teams_used & (1u << o->team)))
            rc = fail(r, COL_TEAM, "the arm '%s' does not run the team '%s'",
                      m->arm[o->arm].name, team);
    } else if (want_payer) {
        rc = find_name(r, COL_PAYER, "a payer", payer, (const char *const *)m->payer,
                       m->npayers, &o->payer);
    }
    return rc;
}

static int read_row(const reader *r, const mkba_model *m, int years, char **f,
                    mkba_observation *o)
{
    o->domain = o->state_lo = o->state_hi = o->team = o->payer = o->fund = o->taakveld = -1;
    o->n = o->se = NAN;
    o->line = r->line;
    const char *y = f[r->where[COL_YEAR] - 1];
    char *end = NULL;
    errno = 0;
    long year = strtol(y, &end, 10);
    if (*y == '\0' || *end != '\0' || errno == ERANGE)
        return fail(r, COL_YEAR, "'%s' is not a whole year number%s", y, "");
    if (year < 1 || year > years) {
        char h[200];
        int first = m->population.first_year;
        /* A jaarrekening's year is a calendar year: say which horizon year it is. */
        if (m->population.enabled && year >= first && year - first < years)
            snprintf(h, sizeof h, "%d; the year column is the year of the horizon: calendar "
                     "year %ld is horizon year %ld, population.first_year = %d", years, year,
                     year - first + 1, first);
        else
            snprintf(h, sizeof h, "%d", years);
        return fail(r, COL_YEAR, "year %s is outside the horizon of the scenario (years 1 to "
                    "%s)", y, h);
    }
    o->year = (int)year;
    const char *arms[MKBA_MAX_ARMS];
    for (size_t a = 0; a < m->narms; a++)
        arms[a] = m->arm[a].name;
    int rc = find_name(r, COL_ARM, "an arm", f[r->where[COL_ARM] - 1], arms, m->narms, &o->arm);
    const char *names[MKBA_METRIC_N];
    for (int k = 0; k < MKBA_METRIC_N; k++)
        names[k] = mkba_expost_metrics[k].name;
    int k = 0;
    if (rc == MKBA_OK)
        rc = find_name(r, COL_METRIC, "a metric (docs/expost.md)", f[r->where[COL_METRIC] - 1],
                       names, MKBA_METRIC_N, &k);
    if (rc != MKBA_OK)
        return rc;
    o->metric = (mkba_expost_metric)k;
    const mkba_expost_metric_def *def = &mkba_expost_metrics[k];
    if (def->services && !m->services.enabled)
        return fail(r, COL_METRIC, "the metric %s needs a scenario with services; this one "
                    "has none%s", def->name, "");
    if (def->key == MKBA_KEY_BUDGET_LINE && !m->population.enabled)
        return fail(r, COL_METRIC, "the metric %s needs a scenario with a budget view (a "
                    "population block with budget_lines, docs/budget.md); this one has none: "
                    "give the payers' spending instead%s", def->name, "");
    rc = number(r, COL_VALUE, f[r->where[COL_VALUE] - 1], &o->value);
    if (rc == MKBA_OK && o->value < 0 && !mkba_expost_metric_signed(o->metric))
        rc = fail(r, COL_VALUE, "'%s' is negative; %s is a count or a time (>= 0)",
                  f[r->where[COL_VALUE] - 1], def->name);
    const char *ns = r->where[COL_N] ? f[r->where[COL_N] - 1] : "";
    const char *ses = r->where[COL_SE] ? f[r->where[COL_SE] - 1] : "";
    if (rc == MKBA_OK && ns[0] != '\0') {
        rc = number(r, COL_N, ns, &o->n);
        if (rc == MKBA_OK && (o->n < 1 || o->n != floor(o->n) || o->n > 1e9))
            rc = fail(r, COL_N, "'%s' is not a number of households (a whole number >= 1)%s",
                      ns, "");
    }
    if (rc == MKBA_OK && ses[0] != '\0') {
        rc = number(r, COL_SE, ses, &o->se);
        if (rc == MKBA_OK && o->se <= 0)
            rc = fail(r, COL_SE, "the standard error '%s' must be > 0%s", ses, "");
        /* The likelihood divides by se squared: one that underflows to 0
         * (below about 1.5e-162) would make every weight not a number. */
        else if (rc == MKBA_OK && o->se < 1e-150)
            rc = fail(r, COL_SE, "the standard error '%s' is too small to compute with (its "
                      "square underflows); expected one of at least 1e-150%s", ses, "");
    }
    if (rc != MKBA_OK)
        return rc;
    o->likelihood = isnan(o->se) ? def->likelihood : MKBA_LIK_NORMAL;
    o->n_lik = o->n;
    o->var_linear = o->var_share = 0.0;
    if (o->likelihood != MKBA_LIK_NORMAL && !isnan(o->n)
        && o->value * o->n / 1000.0 > MKBA_EXPOST_MAX_COUNT)
        return fail(r, COL_VALUE, "'%s' per 1000 of n households is more than 1e9 events; "
                    "%s is a count per 1000 households (check the unit)",
                    f[r->where[COL_VALUE] - 1], def->name);
    if (def->likelihood == MKBA_LIK_NORMAL && isnan(o->se))
        return r->where[COL_SE] == 0
                   ? fail(r, -1, "the metric %s needs a standard error: add the column se%s",
                          def->name, "")
                   : fail(r, COL_SE, "the metric %s needs a standard error (> 0)%s", def->name,
                          "");
    if (o->likelihood != MKBA_LIK_NORMAL && isnan(o->n))
        return r->where[COL_N] == 0
                   ? fail(r, -1, "the count metric %s needs n (the households the figure "
                          "covers) or se: add the column n%s", def->name, "")
                   : fail(r, COL_N, "the count metric %s needs n (the households the figure "
                          "covers) or se%s", def->name, "");
    if (o->likelihood == MKBA_LIK_BINOMIAL && o->value > 1000.0)
        return fail(r, COL_VALUE, "'%s' is more than 1000 per 1000 households (%s counts "
                    "households)", f[r->where[COL_VALUE] - 1], def->name);
    return read_key(r, m, f, o);
}

/* The key of a row, for finding duplicates: its fields in sort order, and
 * the line (not part of the key). */
enum { K_YEAR, K_ARM, K_METRIC, K_DOMAIN, K_LO, K_HI, K_TEAM, K_PAYER, K_FUND, K_TAAKVELD,
       KEY_FIELDS };
typedef struct row_key {
    int field[KEY_FIELDS];
    int line;
} row_key;

static int key_cmp(const void *pa, const void *pb)
{
    const row_key *a = pa, *b = pb;
    for (int i = 0; i < KEY_FIELDS; i++)
        if (a->field[i] != b->field[i])
            return a->field[i] < b->field[i] ? -1 : 1;
    return 0;
}

static int check_duplicates(const reader *r0, const mkba_observed *o)
{
    row_key *k = mkba_malloc((o->n > 0 ? o->n : 1) * sizeof *k);
    if (k == NULL)
        return mkba_error_set(r0->err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; i < o->n; i++) {
        const mkba_observation *b = &o->obs[i];
        row_key e = { { [K_YEAR] = b->year, [K_ARM] = b->arm, [K_METRIC] = (int)b->metric,
                        [K_DOMAIN] = b->domain, [K_LO] = b->state_lo, [K_HI] = b->state_hi,
                        [K_TEAM] = b->team, [K_PAYER] = b->payer, [K_FUND] = b->fund,
                        [K_TAAKVELD] = b->taakveld }, b->line };
        k[i] = e;
    }
    qsort(k, o->n, sizeof *k, key_cmp);
    int rc = MKBA_OK;
    for (size_t i = 1; rc == MKBA_OK && i < o->n; i++) {
        const int *a = k[i - 1].field, *b = k[i].field;
        if (key_cmp(&k[i - 1], &k[i]) == 0)
            rc = mkba_error_set(r0->err, MKBA_EPARSE, "%s:%d: a duplicate row: line %d gives "
                                "the same year, arm, metric, domain, team and payer%s", r0->file,
                                k[i].line, k[i - 1].line,
                                b[K_METRIC] == MKBA_METRIC_BUDGET ? " (fund and taakveld)" : "");
        /* A total sorts before its parts (key -1): both would weigh the
         * same events twice as independent figures. */
        else if (a[K_YEAR] == b[K_YEAR] && a[K_ARM] == b[K_ARM] && a[K_METRIC] == b[K_METRIC]
                 && ((a[K_DOMAIN] < 0 && b[K_DOMAIN] >= 0) || (a[K_TEAM] < 0 && b[K_TEAM] >= 0)))
            rc = mkba_error_set(r0->err, MKBA_EPARSE, "%s:%d: %s of one %s overlaps the total "
                                "of line %d (same year and arm), which counts the same events "
                                "twice; give the total or its parts, not both", r0->file,
                                k[i].line, mkba_expost_metrics[b[K_METRIC]].name,
                                b[K_DOMAIN] >= 0 ? "domain" : "team", k[i - 1].line);
    }
    mkba_free(k);
    return rc;
}

int mkba_expost_metric_signed(mkba_expost_metric k)
{
    return mkba_expost_metrics[k].money;
}

int mkba_observation_reads_payer(const mkba_observation *o, size_t p)
{
    if (o->metric == MKBA_METRIC_SPENDING)
        return o->payer >= 0 && (size_t)o->payer == p;
    return o->metric == MKBA_METRIC_BUDGET && o->payers != NULL && o->payers[p];
}

/* Money rows (spending, budget) of one year and arm, in line order. */
static int money_cmp(const void *pa, const void *pb)
{
    const mkba_observation *a = *(const mkba_observation *const *)pa;
    const mkba_observation *b = *(const mkba_observation *const *)pb;
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->arm != b->arm)
        return a->arm < b->arm ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Refuses two money rows of one year and arm that read a payer both (a
 * fund beside one of its taakvelden, or beside the spending of one of its
 * payers): they would weigh the same money twice as independent figures.
 * Rows on pairwise different payers number at most npayers a group, so the
 * pairs looked at before an overlap shows stay few. */
static int check_money_overlap(const reader *r0, const mkba_model *m, const mkba_observed *o)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n; i++)
        n += mkba_expost_metric_signed(o->obs[i].metric) != 0;
    if (n < 2)
        return MKBA_OK;
    const mkba_observation **row = mkba_malloc(n * sizeof *row);
    if (row == NULL)
        return mkba_error_set(r0->err, MKBA_ENOMEM, "out of memory");
    n = 0;
    for (size_t i = 0; i < o->n; i++)
        if (mkba_expost_metric_signed(o->obs[i].metric))
            row[n++] = &o->obs[i];
    qsort(row, n, sizeof *row, money_cmp);
    int rc = MKBA_OK;
    for (size_t j = 1; rc == MKBA_OK && j < n; j++)
        for (size_t i = j; rc == MKBA_OK && i-- > 0;) {
            const mkba_observation *a = row[i], *b = row[j];
            if (a->year != b->year || a->arm != b->arm)
                break;
            size_t p = 0;
            while (p < m->npayers
                   && !(mkba_observation_reads_payer(a, p) && mkba_observation_reads_payer(b, p)))
                p++;
            if (p < m->npayers)
                rc = mkba_error_set(r0->err, MKBA_EPARSE, "%s:%d: %s overlaps line %d (same "
                                    "year and arm): both hold the payer %s's spending, which "
                                    "counts the same money twice; give figures on separate "
                                    "payers (a fund, or its taakvelden, or its payers)",
                                    r0->file, b->line, b->label, a->line, m->payer[p]);
        }
    mkba_free(row);
    return rc;
}

int mkba_observation_columns(const mkba_model *m, const mkba_observation *o,
                             mkba_observation_text *text)
{
    text->domain = text->team = text->payer = text->fund = text->taakveld = "";
    text->state = NULL;
    if (o->metric == MKBA_METRIC_IN_STATE) {
        const mkba_domain *d = &m->domain[o->domain];
        const char *state = d->state[o->state_lo].name;
        const char *plus = o->state_hi > o->state_lo ? "+" : "";
        size_t size = strlen(d->name) + strlen(state) + strlen(plus) + 2;
        if ((text->state = mkba_malloc(size)) == NULL)
            return MKBA_ENOMEM;
        snprintf(text->state, size, "%s/%s%s", d->name, state, plus);
        text->domain = text->state;
    } else if (o->domain >= 0) {
        text->domain = m->domain[o->domain].name;
    }
    if (o->team >= 0)
        text->team = m->services.team[o->team].name;
    if (o->payer >= 0)
        text->payer = m->payer[o->payer];
    if (o->fund >= 0)
        text->fund = m->population.fund[o->fund];
    if (o->taakveld >= 0)
        text->taakveld = m->population.taakveld[o->taakveld];
    return MKBA_OK;
}

void mkba_observation_text_free(mkba_observation_text *text)
{
    mkba_free(text->state);
    text->state = NULL;
}

/* "escalations youth, model_b, year 2"; NULL when out of memory. */
static char *make_label(const mkba_model *m, const mkba_observation *o)
{
    mkba_observation_text x;
    if (mkba_observation_columns(m, o, &x) != MKBA_OK)
        return NULL;
    const char *key = x.domain[0] ? x.domain : x.team[0] ? x.team : x.payer[0] ? x.payer
                                                                                : x.fund;
    /* A budget line of both: "budget gemeentefonds / 6.71 Wmo". */
    const char *also = key == x.fund && x.fund[0] && x.taakveld[0] ? x.taakveld : "";
    if (key == x.fund && !x.fund[0])
        key = x.taakveld;
    char buf[1000];
    snprintf(buf, sizeof buf, "%s%s%s%s%s, %s, year %d", mkba_expost_metrics[o->metric].name,
             key[0] ? " " : "", key, also[0] ? " / " : "", also, m->arm[o->arm].name, o->year);
    mkba_observation_text_free(&x);
    return mkba_strdup(buf);
}

int mkba_observed_parse(const char *text, size_t len, const char *file_name,
                        const mkba_model *m, mkba_observed **out, mkba_error *err)
{
    *out = NULL;
    reader r = { file_name != NULL ? file_name : "(observed data)", 0, { 0 }, err };
    size_t cpy = 0;
    if (mkba_cycles_per_year(m->timing.cycle_years, &cpy, err) != MKBA_OK)
        return err != NULL ? err->code : MKBA_EINVAL;
    int years = m->timing.ncycles / (int)cpy;
    mkba_observed *o = mkba_calloc(1, sizeof *o);
    char *buf = mkba_malloc(MAX_LINE + 1);
    int rc = o != NULL && buf != NULL ? MKBA_OK : mkba_error_set(err, MKBA_ENOMEM,
                                                                 "out of memory");
    if (rc == MKBA_OK && (o->file = mkba_strdup(r.file)) == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    size_t cap = 0;
    int header = 0, nhead = 0;
    /* A UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of the header. */
    size_t start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (size_t pos = start; rc == MKBA_OK && pos < len;) {
        const char *line = text + pos;
        /* Lines end in LF, CR LF or a lone CR (old Mac). */
        size_t l = 0;
        while (pos + l < len && line[l] != '\n' && line[l] != '\r')
            l++;
        pos += l;
        if (pos < len)
            pos += line[l] == '\r' && pos + 1 < len && line[l + 1] == '\n' ? 2 : 1;
        r.line++;
        if (memchr(line, '\0', l) != NULL) {
            rc = fail(&r, -1, "the line holds a NUL byte; the file must be text (CSV)%s%s",
                      "", "");
            break;
        }
        if (l > MAX_LINE) {
            rc = fail(&r, -1, "the line is longer than 4096 characters%s%s", "", "");
            break;
        }
        size_t lead = 0;
        while (lead < l && is_blank(line[lead]))
            lead++;
        if (lead == l || line[lead] == '#')
            continue;           /* a blank line or a comment */
        char *field[NCOLS + 1];
        split_fault fault;
        int nf = split(line, l, buf, field, NCOLS + 1, &fault);
        if (nf == -2) {
            rc = mkba_error_set(err, MKBA_EPARSE, "%s:%d: column %d, character %d: %s; a "
                                "field in double quotes runs to the next lone quote on the "
                                "same line and writes a quote inside as \"\"", r.file, r.line,
                                fault.field, fault.at, fault.what);
            break;
        }
        if (!header) {
            if (nf == 1 && strchr(field[0], ';') != NULL) {
                rc = fail(&r, -1, "the header is separated by ';' (Excel with Dutch "
                          "settings): use commas between fields and decimal points%s%s",
                          "", "");
                break;
            }
            if (nf < 0) {
                rc = fail(&r, -1, "the header has more than 11 columns; the columns are "
                          COLUMNS "%s%s", "", "");
                break;
            }
            rc = parse_header(&r, field, nf);
            header = 1;
            nhead = nf;
            continue;
        }
        if (nf != nhead) {
            rc = nf < 0 ? mkba_error_set(err, MKBA_EPARSE, "%s:%d: the row has more fields "
                                         "than the header's %d", r.file, r.line, nhead)
                        : mkba_error_set(err, MKBA_EPARSE, "%s:%d: the row has %d fields; the "
                                         "header has %d%s", r.file, r.line, nf, nhead,
                                         nf > nhead ? " (decimal commas, or a name with a "
                                                      "comma outside double quotes? use "
                                                      "decimal points, and quote such names)"
                                                    : "");
            break;
        }
        if (o->n == MAX_ROWS) {
            rc = fail(&r, -1, "more than 1000000 rows%s%s", "", "");
            break;
        }
        if (o->n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            mkba_observation *g = mkba_realloc(o->obs, nc * sizeof *g);
            if (g == NULL) {
                rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
                break;
            }
            o->obs = g;
            cap = nc;
        }
        mkba_observation *ob = &o->obs[o->n];
        memset(ob, 0, sizeof *ob);
        rc = read_row(&r, m, years, field, ob);
        if (rc == MKBA_OK && (ob->label = make_label(m, ob)) == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        if (rc == MKBA_OK)
            o->n++;
        else
            mkba_free(ob->payers);
    }
    if (rc == MKBA_OK && !header)
        rc = mkba_error_set(err, MKBA_EPARSE, "%s: the file is empty; it needs a header "
                            "line (year,arm,metric,value,...) and at least one row", r.file);
    if (rc == MKBA_OK && o->n == 0)
        rc = mkba_error_set(err, MKBA_EPARSE, "%s: the file has a header but no rows",
                            r.file);
    if (rc == MKBA_OK)
        rc = check_duplicates(&r, o);
    if (rc == MKBA_OK)
        rc = check_money_overlap(&r, m, o);
    mkba_free(buf);
    if (rc != MKBA_OK) {
        mkba_observed_free(o);
        return rc;
    }
    *out = o;
    return MKBA_OK;
}

/* Observed data are a few thousand rows; a file above this is no such data. */
#define OBSERVED_MAX_BYTES ((size_t)1 << 30)

/* The refusal of a file above OBSERVED_MAX_BYTES. */
static int too_large(const char *path, mkba_error *err)
{
    return mkba_error_set(err, MKBA_EINVAL, "%s is larger than 1 GiB; observed data are a "
                          "few thousand rows", path);
}

int mkba_observed_read(const char *path, const mkba_model *m, mkba_observed **out,
                       mkba_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return mkba_error_set(err, MKBA_EIO, "cannot read the observed data %s: %s", path,
                              strerror(errno));
    /* A regular file's size is known before any reading: a huge one is
     * refused at once, without memory. A pipe's size is unknown (0), so the
     * loop below stops it at the same limit. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > (off_t)OBSERVED_MAX_BYTES) {
        fclose(f);
        return too_large(path, err);
    }
    size_t cap = 1 << 16, n = 0;
    char *text = mkba_malloc(cap);
    int rc = text != NULL ? MKBA_OK
                          : mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s", path);
    while (rc == MKBA_OK) {
        if (n == cap) {
            if (cap >= OBSERVED_MAX_BYTES) {
                rc = too_large(path, err);
                break;
            }
            char *g = mkba_realloc(text, 2 * cap);
            if (g == NULL) {
                rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s", path);
                break;
            }
            text = g;
            cap *= 2;
        }
        size_t got = fread(text + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (rc == MKBA_OK && ferror(f))
        rc = mkba_error_set(err, MKBA_EIO, "cannot read the observed data %s", path);
    fclose(f);
    if (rc == MKBA_OK)
        rc = mkba_observed_parse(text, n, path, m, out, err);
    mkba_free(text);
    return rc;
}
