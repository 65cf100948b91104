/*
 * misuse_never_set_global.c - longjmp to a global jmp_buf that setjmp never filled in.
 *                             (Not differential.)
 *
 * C11 7.13.2.1p2: longjmp needs an env saved by setjmp; with none the behaviour is undefined.
 * A zero-initialised global (C11 6.7.9p10) is used. asyncify-rt reports "asyncify-rt: ..." with
 * the words "never set" on stderr and exits with 121 (ASYNCIFY_RT_STATUS_BAD_JMPBUF).
 * Expected stdout: "about to jump\n".
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf never_set;

NOINLINE static void jump(void)
{
    longjmp(never_set, 5);
}

int main(void)
{
    puts("about to jump");
    fflush(stdout);
    jump();
    puts("longjmp returned (wrong)");
    return 0;
}
