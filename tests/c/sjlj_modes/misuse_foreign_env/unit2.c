/* misuse_foreign_env, unit 2: the jump, 3 frames down. See unit1.c. */
#include <setjmp.h>
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) static void down(jmp_buf env, int depth)
{
    volatile int here = depth;
    if (depth > 1)
        down(env, depth - 1);
    else
        longjmp(env, 1);
    sink += here;
}

__attribute__((noinline)) void u2_jump(jmp_buf env, const char *what)
{
    puts(what);
    fflush(stdout);
    down(env, 3);
}
