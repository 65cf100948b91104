/*
 * same_env_many_times.c - one env, set once, jumped to many times while its frame lives.
 *
 * C11 7.13.2.1p2: longjmp restores the environment saved by the most recent invocation of setjmp;
 * nothing consumes it, so the same saved environment may be resumed again and again as long as
 * the function that called setjmp has not returned. setjmp is called once here; the jumps come
 * from callees at different depths, and each resumption sees memory (globals, volatile locals)
 * as last written.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;
static int resumptions;

NOINLINE static void jump_from_depth(int depth, int val)
{
    if (depth > 0) {
        jump_from_depth(depth - 1, val);
        puts("unreachable: recursion returned");
    }
    longjmp(env, val);
}

NOINLINE static int run(void)
{
    volatile int sum = 0;
    volatile int calls = 0;
    int r = 0;
    switch (setjmp(env)) {
    case 0:
        puts("set once");
        break;
    case 1:
        r = 1;
        break;
    default:
        r = 2;
        break;
    }
    if (r != 0) {
        resumptions++;
        sum += r;
    }
    if (calls < 50) {
        calls++;
        /* alternate depth and value: 1..7 frames deep, values 1 and 2 */
        jump_from_depth(calls % 7, 1 + calls % 2);
    }
    printf("calls=%d sum=%d\n", calls, sum);
    return sum;
}

int main(void)
{
    int s = run();
    printf("resumptions=%d returned=%d\n", resumptions, s);
    return 0;
}
