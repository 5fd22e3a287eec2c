/* The choice between the AVX2 and the generic kernels (simd.h). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "core/simd.h"

/* -1 until the first call, then 0 (generic) or 1 (AVX2). Relaxed atomics:
 * every thread that computes it computes the same value. */
static atomic_int use_avx2 = -1;

static int detect(void)
{
    const char *off = getenv("MKBA_NO_SIMD");
    if (off != NULL && strcmp(off, "1") == 0)
        return 0;
#if defined(__GNUC__) && defined(__x86_64__)
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

int mkba_simd_avx2(void)
{
    int v = atomic_load_explicit(&use_avx2, memory_order_relaxed);
    if (v < 0) {
        v = detect();
        atomic_store_explicit(&use_avx2, v, memory_order_relaxed);
    }
    return v;
}

void mkba_simd_allow(int allow)
{
    atomic_store_explicit(&use_avx2, allow ? detect() : 0, memory_order_relaxed);
}
