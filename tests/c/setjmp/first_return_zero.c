/*
 * first_return_zero.c - a direct call of setjmp returns 0.
 *
 * C11 7.13.1.1p3: "If the return is from a direct invocation, the setjmp macro returns the value
 * zero." Checked in each context C11 7.13.1.1p4 allows (if, switch, while controlling expressions,
 * equality with a constant, operand of !, and as a whole expression statement), for an env that
 * is never jumped to. Nothing here calls longjmp.
 */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;

int main(void)
{
    if (setjmp(env))
        puts("if: nonzero (wrong)");
    else
        puts("if: 0");

    switch (setjmp(env)) {
    case 0: puts("switch: 0"); break;
    default: puts("switch: nonzero (wrong)"); break;
    }

    if (setjmp(env) == 0)
        puts("== 0: true");
    if (!setjmp(env))
        puts("!setjmp: true");
    if (setjmp(env) != 0)
        puts("!= 0: true (wrong)");

    int loops = 0;
    while (setjmp(env)) {
        if (++loops > 3)
            break;
    }
    printf("while: body ran %d times\n", loops);

    setjmp(env); /* whole expression statement, value discarded */
    puts("expression statement: returned");
    return 0;
}
