/*
 * setjmp_caller_returns_repeatedly.c - a function that calls setjmp, returns, and is called
 * again, 1,000,000 times.
 *
 * C11 7.13.2.1p2: an env is valid until its setjmp caller returns; the saved state then dies and
 * must not accumulate. attempt() guards an operation with setjmp on a global env and returns
 * (normally or after being jumped to); main calls it in a loop. attempt() has no local that needs
 * memory, so compilers give it no stack frame of its own: the saved state must still be released
 * when it returns, or a million calls exhaust any stack. A probe (the address of a callee's
 * local, from the same place in main) must not move between calls; only the count of calls where
 * it moved is printed.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))
#define CALLS 1000000

static jmp_buf env;

NOINLINE static void fail(void)
{
    longjmp(env, 1);
}

NOINLINE static int attempt(int i)
{
    if (setjmp(env) != 0)
        return 1;
    if (i % 3 == 0)
        fail();
    return 0;
}

NOINLINE static uintptr_t probe(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}

int main(void)
{
    long failures = 0, moved = 0;
    uintptr_t first = 0;
    for (int i = 0; i < CALLS; i++) {
        failures += attempt(i);
        uintptr_t here = probe();
        if (i == 0)
            first = here;
        else if (here != first)
            moved++;
    }
    printf("calls=%d failures=%ld\n", CALLS, failures);
    printf("stack pointer moved after %ld calls\n", moved);
    return 0;
}
