/*
 * stale_capture_unwritten.c - regression (issue 13, defect 1, second form): the stale capture lies
 * in memory the caller allocated but has not written yet, so no checksum can tell; the new capture
 * must still not go there. Expected: "0 wrong", exit 0 (as glibc).
 */
/* A stale capture in memory that the caller has allocated but not written yet: setjmp must not
 * place its new capture there (the caller's later writes would destroy it). f() leaves a capture
 * of env behind; g(k) allocates k bytes, sets env again without touching them, then fills them and
 * jumps to env, which is legal (g is still running). */
#include <alloca.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env;

__attribute__((noinline)) static void f(void) {
    if (setjmp(env) == 0) {}
}
__attribute__((noinline)) static int g(int k) {
    volatile unsigned char *buf = alloca(k);
    volatile int jumped = 0;
    if (setjmp(env) != 0) {
        for (int i = 0; i < k; i++) if (buf[i] != (unsigned char)(i * 7)) return 1;
        return jumped == 1 ? 0 : 2;
    }
    for (int i = 0; i < k; i++) buf[i] = (unsigned char)(i * 7);
    jumped = 1;
    longjmp(env, 1);
}
int main(void) {
    int bad = 0;
    for (int k = 8; k <= 512; k += 8) {
        f();
        int r = g(k);
        if (r) { printf("k=%d: g returned %d\n", k, r); bad++; }
    }
    printf("%d wrong\n", bad);
    return bad != 0;
}
