/*
 * env_reused_by_other_function.c - one jmp_buf object set in turn by different functions.
 *
 * C11 7.13.2.1p2: longjmp restores the most recent setjmp(env), whichever function made it. A
 * global env is set by function a() and used; a() returns (its save is now dead and never used);
 * then b(), called through an extra frame so it sits at a different depth, sets the same env and
 * is jumped to; then a() again. Each must land in the function that set env last.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void jumper(int v)
{
    longjmp(env, v);
}

NOINLINE static int a(int x)
{
    volatile int seen = 0;
    if (setjmp(env) == 0)
        jumper(x);
    seen = 1;
    return x * 2 + seen;
}

NOINLINE static int b(int x)
{
    char frame_padding[300];
    frame_padding[x % 300] = (char)x;
    if (setjmp(env) == 0)
        jumper(x);
    return x * 3 + frame_padding[x % 300] - (char)x;
}

NOINLINE static int via(int (*f)(int), int x)
{
    return f(x) + 1000;
}

int main(void)
{
    printf("a(1) = %d\n", a(1));
    printf("via(b, 2) = %d\n", via(b, 2));
    printf("a(3) = %d\n", a(3));
    printf("via(a, 4) = %d\n", via(a, 4));
    printf("b(5) = %d\n", b(5));
    return 0;
}
