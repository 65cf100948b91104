/* stack_after_caught_jump, unit 1 (main, the loop): see shared.h. */
#include <stdio.h>
#include "shared.h"

#define ITERATIONS 1000

/* The address of this frame tells where the caller's stack pointer is. */
NOINLINE static unsigned long probe(void)
{
    volatile char here = 0;
    return (unsigned long)&here;
}

NOINLINE static long drift(enum what what)
{
    jmp_buf env;
    volatile int i, caught = 0;
    volatile unsigned long first = 0, last = 0;
    for (i = 0; i < ITERATIONS; i++) {
        if (setjmp(env) == 0)
            u2_then_jump(what, env, i + 1);
        else
            caught++;
        last = probe();
        if (i == 0)
            first = last;
    }
    if (caught != ITERATIONS)
        printf("only %d of %d jumps caught\n", caught, ITERATIONS);
    return (long)(first - last);
}

int main(void)
{
    static const char *const names[WHATS] = {"plain", "scan", "setjmp", "swap"};
    u2_init();
    for (int w = 0; w < WHATS; w++)
        printf("%-6s: stack pointer moved by %ld bytes over %d round trips\n", names[w], drift((enum what)w), ITERATIONS);
    return 0;
}
