/*
 * sigsetjmp.c - sigsetjmp and siglongjmp, with savemask 0 and nonzero.
 *
 * POSIX.1-2008 sigsetjmp/siglongjmp: like setjmp/longjmp; with a nonzero savemask the signal mask
 * is saved too and restored by siglongjmp (on WASI there are no signals, so only the control
 * transfer is observable). Checked: direct return 0, siglongjmp(env, 0) gives 1, values pass,
 * jumps from callees, both savemask settings, and a sigjmp_buf in heap memory.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

static sigjmp_buf env;

NOINLINE static void thrower(sigjmp_buf e, int v)
{
    siglongjmp(e, v);
}

int main(void)
{
    volatile int mask;
    for (mask = 0; mask <= 1; mask++) {
        switch (sigsetjmp(env, mask)) {
        case 0:
            printf("savemask %d: sigsetjmp returned 0\n", mask);
            thrower(env, 0);
            break;
        case 1:
            printf("savemask %d: siglongjmp(env, 0) gave 1\n", mask);
            break;
        default:
            puts("unexpected");
            break;
        }
        switch (sigsetjmp(env, mask)) {
        case 0: thrower(env, 77); break;
        case 77: printf("savemask %d: siglongjmp(env, 77) gave 77\n", mask); break;
        default: puts("unexpected"); break;
        }
    }

    struct { int before; sigjmp_buf e; int after; } *h = malloc(sizeof *h);
    h->before = 1;
    h->after = 2;
    if (sigsetjmp(h->e, 1) == 0)
        thrower(h->e, 5);
    printf("heap sigjmp_buf: before=%d after=%d\n", h->before, h->after);
    free(h);
    return 0;
}
