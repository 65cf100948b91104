/*
 * misuse_dead_env.c - longjmp to an env whose setjmp caller has returned.  (Not differential.)
 *
 * C11 7.13.2.1p2: "if the function containing the invocation of the setjmp macro has terminated
 * execution in the interim ... the behavior is undefined." Natively this usually crashes or
 * resumes garbage. asyncify-rt diagnoses it: a one-line "asyncify-rt: " message on stderr that
 * says the function "has returned", and exit status 122 (ASYNCIFY_RT_STATUS_DEAD_JMPBUF,
 * <asyncify_rt.h>). Expected stdout: "before\nsetter returned 0\n" (flushed before the misuse).
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static int setter(void)
{
    if (setjmp(env) != 0) {
        puts("resumed a returned function (wrong)");
        return 1;
    }
    return 0;
}

int main(void)
{
    puts("before");
    printf("setter returned %d\n", setter());
    fflush(stdout);
    longjmp(env, 1);
    puts("longjmp returned (wrong)");
    return 0;
}
