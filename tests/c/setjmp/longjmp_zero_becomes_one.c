/*
 * longjmp_zero_becomes_one.c - longjmp(env, 0) makes setjmp return 1.
 *
 * C11 7.13.2.1p4: "If the value of val is 0, the setjmp macro returns the value 1." Checked for
 * a longjmp from the same function, from a called function, and repeatedly.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void jump_zero(void)
{
    longjmp(env, 0);
}

int main(void)
{
    volatile int round = 0;

    switch (setjmp(env)) {
    case 0:
        puts("direct: 0");
        longjmp(env, 0); /* from the same frame */
    case 1:
        puts("after longjmp(env, 0) in main: 1");
        break;
    default:
        puts("after longjmp(env, 0) in main: other (wrong)");
        break;
    }

    for (round = 0; round < 3; round++) {
        switch (setjmp(env)) {
        case 0:
            jump_zero();
            puts("jump_zero returned (wrong)");
            break;
        case 1:
            printf("round %d: callee longjmp(env, 0) gave 1\n", round);
            break;
        default:
            printf("round %d: other (wrong)\n", round);
            break;
        }
    }
    return 0;
}
