/*
 * deep_recursion.c - longjmp out of a recursion 20,000 frames deep.
 *
 * C11 7.13.2.1p2: longjmp returns to the setjmp caller however many function activations lie in
 * between; they are all terminated. The recursion keeps live values in every frame (a running
 * checksum combined after the recursive call) so frames are not folded into a loop. Repeated a
 * few times at different depths, and once with a normal return to compare checksums.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;
static volatile unsigned sink;
static unsigned deepest_check;

NOINLINE static unsigned recurse(int n, unsigned acc, int jump)
{
    if (n == 0) {
        deepest_check = acc;
        if (jump)
            longjmp(env, 1 + (int)(acc % 1000));
        return acc;
    }
    unsigned r = recurse(n - 1, acc * 31u + (unsigned)n, jump);
    sink = r ^ acc; /* keeps acc and n live across the call */
    return r + (unsigned)n;
}

int main(void)
{
    static const int depths[] = { 10000, 20000, 1, 15000 };
    volatile int k;
    for (k = 0; k < 4; k++) {
        int depth = depths[k];
        if (setjmp(env) == 0) {
            recurse(depth, 7u, 1);
            puts("recursion returned (wrong)");
        } else {
            printf("depth %d: jumped out, deepest checksum %u\n", depth, deepest_check);
        }
    }
    unsigned r = recurse(20000, 7u, 0);
    printf("normal return: %u, deepest checksum %u\n", r, deepest_check);
    return 0;
}
