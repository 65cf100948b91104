/*
 * deep_setjmp.c - setjmp called 10,000 frames deep, then longjmp to it repeatedly.
 *
 * C11 7.13.1.1 / 7.13.2.1: the environment saved by setjmp includes the whole calling chain,
 * however deep; after longjmp the chain returns normally through every frame. Here the deepest
 * frame sets the env, and a callee jumps back to it 100 times; then the recursion unwinds by
 * ordinary returns, each frame checking that its own arguments survived.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))
#define DEPTH 10000

static jmp_buf env;
static int bad_frames;

static int last_thrown;

NOINLINE static void thrower(int v)
{
    last_thrown = v;
    longjmp(env, v);
}

NOINLINE static int at_bottom(void)
{
    volatile int count = 0;
    volatile int total = 0;
    if (setjmp(env) != 0)
        total += last_thrown;
    if (count < 100) {
        count++;
        thrower(count);
    }
    return total;
}

NOINLINE static int descend(int n, int expect_square)
{
    if (n == 0)
        return at_bottom();
    int r = descend(n - 1, (n - 1) * (n - 1));
    if (expect_square != n * n)
        bad_frames++;
    return r + 1;
}

int main(void)
{
    int r = descend(DEPTH, DEPTH * DEPTH);
    printf("result %d (sum of 1..100 plus depth), bad frames %d\n", r, bad_frames);
    return 0;
}
