/*
 * stack_reuse_after_setjmp.c - stack used after setjmp does not damage the saved environment.
 *
 * C11 7.13.2.1: the environment stays valid while the setjmp caller is active, however much
 * stack its callees use in between. After setjmp the program calls functions that fill large
 * local arrays (and a VLA) with junk, in the very stack region just below the setjmp caller's
 * frame, returns from them, and only then jumps from another callee. Values in the setjmp
 * caller's frame (a local array written before setjmp, a volatile counter) and in the callers
 * above it must be intact after the jump.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;
static volatile unsigned sink;

NOINLINE static void scribble(size_t n, unsigned char junk)
{
    unsigned char big[65536];
    memset(big, junk, sizeof big);
    sink += big[n % sizeof big];
    if (n > 0) {
        unsigned char vla[n];
        memset(vla, junk ^ 0xff, n);
        sink += vla[n - 1];
    }
}

NOINLINE static void jump_later(int depth, int v)
{
    char pad[512];
    memset(pad, 0x5a, sizeof pad);
    sink += (unsigned)pad[depth];
    if (depth > 0)
        jump_later(depth - 1, v);
    longjmp(env, v);
}

NOINLINE static int guarded(int tag)
{
    int table[32];
    for (int i = 0; i < 32; i++)
        table[i] = tag * 100 + i;
    volatile int jumps = 0;
    if (setjmp(env) != 0) {
        jumps++;
        if (jumps > 5) {
            int sum = 0;
            for (int i = 0; i < 32; i++)
                sum += table[i];
            printf("tag %d: %d jumps, table sum %d, table[31]=%d\n", tag, jumps - 1, sum, table[31]);
            return sum;
        }
    } else {
        jumps++;
    }
    scribble((size_t)jumps * 1000, (unsigned char)(0x11 * jumps));
    scribble(0, 0xee);
    jump_later(jumps * 3, jumps);
    return -1;
}

NOINLINE static int outer(int tag)
{
    int mine[8];
    for (int i = 0; i < 8; i++)
        mine[i] = tag + i;
    int r = guarded(tag);
    return r + mine[0] + mine[7];
}

int main(void)
{
    for (int t = 1; t <= 3; t++)
        printf("outer(%d) = %d\n", t, outer(t));
    return 0;
}
