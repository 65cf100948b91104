/*
 * exit_deep.c - exit(n) from deep inside a call chain, with unflushed stdout.
 *
 * C11 7.22.4.4: exit calls atexit functions, flushes all open streams, and returns the status to
 * the host. The program prints text without a trailing newline (so it sits in stdio's buffer),
 * has a live setjmp env and a longjmp behind it, then calls exit(7) from 300 frames deep. The
 * buffered text and the atexit handler's output must both appear, and the status must be 7.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

static void at_exit_handler(void)
{
    printf(" [atexit ran]");
}

NOINLINE static int descend(int n)
{
    if (n == 0) {
        printf("bottom reached, exiting");
        exit(7);
    }
    return descend(n - 1) + 1;
}

int main(void)
{
    atexit(at_exit_handler);
    printf("start;");
    if (setjmp(env) == 0) {
        printf(" jumping;");
        longjmp(env, 1);
    }
    printf(" caught;");
    printf(" result %d\n", descend(300));
    return 0;
}
