#include "sa/sa_impl.h"
#define P(fn) int fn(mkba_sa *s, mkba_error *err) { (void)s; return mkba_error_set(err, MKBA_EINTERNAL, #fn " pending"); }
P(mkba_sa_threshold) P(mkba_sa_sweep) P(mkba_sa_sobol) P(mkba_sa_morris) P(mkba_sa_evppi) P(mkba_sa_prim) P(mkba_sa_believe)
int mkba_sa_function(const mkba_context *ctx, const char *method, const char *function,
                     long n, uint64_t seed, mkba_summary_format format, FILE *out,
                     mkba_error *err) { (void)ctx; (void)method; (void)function; (void)n; (void)seed; (void)format; (void)out; return mkba_error_set(err, MKBA_EINTERNAL, "pending"); }
