/*
 * million_round_trips.c - 1,000,000 setjmp/longjmp round trips in constant stack.
 *
 * C11 7.13: each longjmp terminates the activations it leaves, so any number of round trips must
 * not accumulate stack. The loop re-sets the same env each iteration (C11 7.13.2.1p2: the most
 * recent setjmp counts) and a callee jumps back with one of three values, counted separately.
 * With the default 8 MiB stack a leak of even 10 bytes per round trip would overflow. Also, after
 * every round trip the address of a callee's local (called from the same place in main) must be
 * the one seen after the first round trip; only the count of rounds where it differed is
 * printed, never an address. (It is not compared with the address before the first setjmp:
 * asyncify-rt keeps the saved frames below the setjmp caller's stack pointer by design.)
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))
#define ROUNDS 1000000

static jmp_buf env;

NOINLINE static void thrower(int i)
{
    longjmp(env, 1 + i % 3);
}

NOINLINE static uintptr_t probe(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}

int main(void)
{
    uintptr_t first = 0;
    long moved = 0;
    long ones = 0, twos = 0, threes = 0;
    int i;
    for (i = 0; i < ROUNDS; i++) {
        switch (setjmp(env)) {
        case 0: thrower(i); puts("thrower returned (wrong)"); break;
        case 1: ones++; break;
        case 2: twos++; break;
        case 3: threes++; break;
        default: puts("unexpected"); break;
        }
        uintptr_t here = probe();
        if (i == 0)
            first = here;
        else if (here != first)
            moved++;
    }
    printf("rounds=%d ones=%ld twos=%ld threes=%ld\n", i, ones, twos, threes);
    printf("stack pointer moved in %ld rounds\n", moved);
    return 0;
}
