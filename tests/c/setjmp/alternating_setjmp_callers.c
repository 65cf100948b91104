/*
 * alternating_setjmp_callers.c - two functions, each guarding its work with setjmp on its own
 * env, called alternately 1,000,000 times.
 *
 * C11 7.13.2.1p2: an env's saved state dies when its setjmp caller returns, so calling such
 * functions any number of times, in any order, needs no more stack than one call. guard_a() and
 * guard_b() use different global envs and have no stack frame of their own (nothing in them
 * needs memory); some calls are left by longjmp, the rest by return. A probe (the address of a
 * callee's local, from the same place in main) must not move between iterations; only the count
 * of iterations where it moved is printed.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))
#define ROUNDS 1000000

static jmp_buf env_a, env_b;

NOINLINE static void fail(struct __jmp_buf_tag *e)
{
    longjmp(e, 1);
}

NOINLINE static int guard_a(int i)
{
    if (setjmp(env_a) != 0)
        return 1;
    if (i % 2 == 0)
        fail(env_a);
    return 0;
}

NOINLINE static int guard_b(int i)
{
    if (setjmp(env_b) != 0)
        return 10;
    if (i % 5 == 0)
        fail(env_b);
    return 0;
}

NOINLINE static uintptr_t probe(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}

int main(void)
{
    long score = 0, moved = 0;
    uintptr_t first = 0;
    for (int i = 0; i < ROUNDS; i++) {
        score += guard_a(i);
        score += guard_b(i);
        uintptr_t here = probe();
        if (i == 0)
            first = here;
        else if (here != first)
            moved++;
    }
    printf("rounds=%d score=%ld\n", ROUNDS, score);
    printf("stack pointer moved in %ld rounds\n", moved);
    return 0;
}
