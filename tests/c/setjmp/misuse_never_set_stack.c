/*
 * misuse_never_set_stack.c - longjmp to a zeroed local jmp_buf.  (Not differential.)
 *
 * C11 7.13.2.1p2 (undefined without a prior setjmp). A jmp_buf on the stack is cleared with
 * memset and passed to longjmp. asyncify-rt: stderr "asyncify-rt: ..." containing "never set",
 * status 121 (ASYNCIFY_RT_STATUS_BAD_JMPBUF). Expected stdout: "cleared\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

NOINLINE static void jump(struct __jmp_buf_tag *e)
{
    longjmp(e, 1);
}

int main(void)
{
    jmp_buf local;
    memset(local, 0, sizeof local);
    puts("cleared");
    fflush(stdout);
    jump(local);
    puts("longjmp returned (wrong)");
    return 0;
}
