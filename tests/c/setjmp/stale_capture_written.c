/*
 * stale_capture_written.c - regression (issue 13, defect 1): in capture mode, setjmp replaced a
 * stale capture of the same jmp_buf "in place" and wrote the saved frames over the live memory of
 * the function calling setjmp. Expected: "0 corrupted", exit 0 (as glibc).
 */
/* capture mode: setjmp re-uses a stale capture of the same jmp_buf "in place" and writes the
 * saved frames over the live memory of the function calling setjmp. */
#include <alloca.h>
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;

__attribute__((noinline)) static void f(void) {
    if (setjmp(env) == 0) {}                     /* f returns: env is dead, its capture stale */
}
__attribute__((noinline)) static int g(int k) {
    volatile unsigned char *buf = alloca(k);     /* k bytes of g's own, live memory */
    for (int i = 0; i < 8; i++) buf[i] = 0x5a;
    if (setjmp(env) == 0) {}                     /* legal: env is set again */
    for (int i = 0; i < 8; i++) if (buf[i] != 0x5a) return 1;
    return 0;
}
int main(void) {
    int bad = 0;
    for (int k = 8; k <= 512; k += 8) {
        f();
        if (g(k)) { printf("k=%d: setjmp overwrote live stack memory\n", k); bad++; }
    }
    printf("%d corrupted\n", bad);
    return bad != 0;
}
