/*
 * main_void.c - a program whose main is `int main(void)` uses setjmp/longjmp.
 *
 * C11 5.1.2.2.1: main may be defined with no parameters. The runtime starts main under its own
 * root, so both forms of main must work; this one jumps from a callee back into main and returns
 * 0 from main (C11 5.1.2.2.3: reaching the end of main returns 0; here an explicit return).
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void thrower(void)
{
    longjmp(env, 9);
}

int main(void)
{
    switch (setjmp(env)) {
    case 0: puts("main(void): set"); thrower(); break;
    case 9: puts("main(void): caught 9"); break;
    default: puts("main(void): unexpected"); break;
    }
    return 0;
}
