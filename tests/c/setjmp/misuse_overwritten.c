/*
 * misuse_overwritten.c - longjmp to a jmp_buf that was set and then overwritten with junk.
 *                        (Not differential.)
 *
 * C11 7.13.2.1p2 (the env no longer holds a saved environment: undefined). The setjmp caller is
 * still active, but the buffer's bytes were replaced. <setjmp.h> documents this as
 * "env never set (or overwritten)": status 121 (ASYNCIFY_RT_STATUS_BAD_JMPBUF) with a one-line
 * "asyncify-rt: " message. Expected stdout: "set\noverwritten\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env;

int main(void)
{
    if (setjmp(env) != 0) {
        puts("resumed through an overwritten env (wrong)");
        return 1;
    }
    puts("set");
    memset(env, 0xA5, sizeof env);
    puts("overwritten");
    fflush(stdout);
    longjmp(env, 1);
    puts("longjmp returned (wrong)");
    return 0;
}
