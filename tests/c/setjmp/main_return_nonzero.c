/*
 * main_return_nonzero.c - a nonzero return from main becomes the exit status.
 *
 * C11 5.1.2.2.3: returning from the initial call to main is equivalent to calling exit with the
 * returned value. main returns 42 on a path reached by a longjmp, after printing text without a
 * trailing newline (which must still be flushed).
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void fail(int code)
{
    longjmp(env, code);
}

int main(void)
{
    volatile int status = 0;
    switch (setjmp(env)) {
    case 0:
        printf("working...");
        fail(42);
        break;
    default:
        status = 42;
        printf(" failed, returning %d", status);
        break;
    }
    return status;
}
