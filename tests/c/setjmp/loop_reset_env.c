/*
 * loop_reset_env.c - setjmp in a loop re-setting the same env in the same frame.
 *
 * C11 7.13.2.1p2: longjmp uses the most recent invocation of setjmp with that env. A loop calls
 * setjmp(env) at two different places in one function, alternating, and callees jump to env;
 * control must arrive at whichever call site set env most recently. A third variant re-sets env
 * in the loop body without ever jumping on some iterations.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void maybe_jump(int i)
{
    if (i % 4 != 3)
        longjmp(env, i + 1);
}

int main(void)
{
    volatile int i;
    volatile int site_a = 0, site_b = 0, no_jump = 0;
    for (i = 0; i < 40; i++) {
        if (i % 2 == 0) {
            if (setjmp(env) != 0) {
                site_a++;
                continue;
            }
        } else {
            if (setjmp(env) != 0) {
                site_b++;
                continue;
            }
        }
        maybe_jump(i);
        no_jump++;
    }
    printf("site_a=%d site_b=%d no_jump=%d\n", site_a, site_b, no_jump);

    /* while loop whose controlling expression is the setjmp call */
    volatile int passes = 0;
    while (setjmp(env) < 5) {
        passes++;
        if (passes <= 6)
            longjmp(env, passes);
        break;
    }
    printf("while(setjmp(env) < 5): passes=%d\n", passes);
    return 0;
}
