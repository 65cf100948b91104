/*
 * misuse_dead_env_same_depth.c - a dead env whose frame slot is now used by a live one.
 *                                (Not differential.)
 *
 * C11 7.13.2.1p2 (undefined behaviour). first() sets env_old and returns. second(), called from
 * the same place so its frame occupies the same stack addresses, sets env_new (which is alive)
 * and then jumps to env_old. Bookkeeping for env_new sits where env_old's was; the runtime must
 * not mistake env_old for a live env: stderr says "has returned", status 122.
 * Expected stdout: "first done\nsecond set\n".
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env_old, env_new;

NOINLINE static int first(void)
{
    if (setjmp(env_old) != 0) {
        puts("resumed first (wrong)");
        return 1;
    }
    return 0;
}

NOINLINE static int second(void)
{
    if (setjmp(env_new) != 0) {
        puts("resumed second (wrong)");
        return 1;
    }
    puts("second set");
    fflush(stdout);
    longjmp(env_old, 1);
}

int main(void)
{
    first();
    puts("first done");
    second();
    puts("second returned (wrong)");
    return 0;
}
