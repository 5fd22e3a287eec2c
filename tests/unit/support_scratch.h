/* A system without scratch files, for the tests of HDF5's close of a
 * discarded file (src/io/h5util.c, abandon): while support_no_scratch is
 * set, shm_open and tmpfile fail, as without /dev/shm and with a full
 * temporary folder; otherwise they are the C library's, found with
 * dlsym(RTLD_NEXT), which is in libc from glibc 2.34 (older glibc needs
 * -ldl) and finds nothing in a -static build (the tests then stop). */
#ifndef MKBA_TESTS_SUPPORT_SCRATCH_H
#define MKBA_TESTS_SUPPORT_SCRATCH_H

extern int support_no_scratch;

#endif
