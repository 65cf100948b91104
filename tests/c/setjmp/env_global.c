/*
 * env_global.c - jmp_buf objects with static storage duration.
 *
 * C11 7.13: a global jmp_buf, a file-scope static one, a function-scope static one and a global
 * array of envs indexed at run time are each set and jumped to; the global env is set twice
 * and the second time jumped to from the bottom of a recursive chain of calls.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

jmp_buf global_env;
static jmp_buf file_env;
static jmp_buf env_array[4];

NOINLINE static void jump_global(int v) { longjmp(global_env, v); }
NOINLINE static void jump_file(int v) { longjmp(file_env, v); }
NOINLINE static void jump_array(int i) { longjmp(env_array[i], 100 + i); }

NOINLINE static void chain(int n)
{
    if (n == 0)
        jump_global(1);
    chain(n - 1);
    puts("chain returned (wrong)");
}

NOINLINE static int with_static_env(int v)
{
    static jmp_buf local_static;
    if (setjmp(local_static) == 0)
        longjmp(local_static, v);
    return v;
}

int main(void)
{
    volatile int hits = 0;
    if (setjmp(global_env) == 0)
        jump_global(7);
    hits++;
    if (setjmp(file_env) == 0)
        jump_file(8);
    hits++;
    printf("global and file envs: %d hits\n", hits);
    printf("function static env: %d\n", with_static_env(9));

    volatile int i;
    for (i = 0; i < 4; i++) {
        switch (setjmp(env_array[i])) {
        case 0: jump_array(i); break;
        case 100: case 101: case 102: case 103: printf("array[%d] caught\n", i); break;
        default: puts("array: unexpected"); break;
        }
    }
    /* the global env again, now jumped to through a longer chain of calls */
    volatile int again = 0;
    if (setjmp(global_env) == 0) {
        again = 1;
        chain(3);
    }
    printf("done, again=%d, i=%d\n", again, i);
    return 0;
}
