/* Which of two equal paths the hot kernels take: the hand-written AVX2
 * one (Philox rounds, the streaming stay test) or the generic one. Both
 * give the same words and the same results; the switch exists so that
 * the generic path, which most test machines never take, can be run and
 * compared (tests, and `MKBA_NO_SIMD=1 scripts/bench-identical.sh`). */
#ifndef MKBA_CORE_SIMD_H
#define MKBA_CORE_SIMD_H

/* Nonzero when the AVX2 paths run: the processor has AVX2 and the
 * environment variable MKBA_NO_SIMD was not 1 at the first call (read once
 * per process). Safe from any thread. */
int mkba_simd_avx2(void);

/* Tests: allow = 0 forces the generic paths from now on; allow = 1 goes
 * back to what the processor and MKBA_NO_SIMD choose. */
void mkba_simd_allow(int allow);

#endif
