/*
 * setjmp_assign_result.c - storing setjmp's result in a variable: `int r = setjmp(env)`.
 *
 * C11 7.13.1.1p4 does not list assignment among the contexts setjmp may appear in, so this is
 * undefined by the letter of the standard, yet it is common practice in real programs
 * (interpreters, test frameworks) and works with every mainstream implementation; the runtime
 * should support it. The stored value is printed after jumps with several values.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void thrower(int v)
{
    longjmp(env, v);
}

int main(void)
{
    volatile int n = 0;
    int r = setjmp(env);
    printf("setjmp stored %d\n", r);
    if (n < 4) {
        n++;
        thrower(n * 10 - 20); /* -10, 0, 10, 20 */
    }
    volatile int r2;
    r2 = setjmp(env);
    if (r2 == 0)
        thrower(-3);
    printf("second setjmp stored %d\n", r2);
    return 0;
}
