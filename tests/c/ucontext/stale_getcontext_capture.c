/*
 * stale_getcontext_capture.c - regression (issue 13, defect 1): getcontext replaced a stale capture
 * of the same ucontext_t in place, over live stack memory. Expected: "0 corrupted", exit 0.
 */
/* A capture written over live stack memory: getcontext re-uses the previous capture of the same
 * ucontext_t "in place" when it looks like the lowest thing on the stack (its base is the stack
 * pointer, its 16-byte record is still readable), but here that capture is stale: main_uc was
 * saved by swapcontext, then main was resumed through another context (setcontext(&gc)). */
#include <alloca.h>
#include <stdio.h>
#include <ucontext.h>

static ucontext_t gc, main_uc, co_uc;
static char co_stack[1 << 16];

static void co(void) { setcontext(&gc); }        /* resume main at its getcontext(&gc) */

__attribute__((noinline)) static void b(void) { swapcontext(&main_uc, &co_uc); }

__attribute__((noinline)) static int d(int k) {
    volatile unsigned char *buf = alloca(k);     /* k bytes of d's own, live memory */
    for (int i = 0; i < 8; i++) buf[i] = 0x5a;   /* (only the lowest 8 are written) */
    getcontext(&main_uc);                        /* legal: main_uc is saved again */
    for (int i = 0; i < 8; i++) if (buf[i] != 0x5a) return 1;
    return 0;
}
__attribute__((noinline)) static int attempt(int k) {
    volatile int resumed = 0;
    getcontext(&co_uc);
    co_uc.uc_stack.ss_sp = co_stack;
    co_uc.uc_stack.ss_size = sizeof co_stack;
    makecontext(&co_uc, co, 0);
    getcontext(&gc);
    if (!resumed) { resumed = 1; b(); }          /* b's swap is never resumed */
    return d(k);
}
int main(void) {
    int bad = 0;
    for (int k = 8; k <= 512; k += 8)
        if (attempt(k)) { printf("k=%d: getcontext overwrote live stack memory\n", k); bad++; }
    printf("%d corrupted\n", bad);
    return bad != 0;
}
