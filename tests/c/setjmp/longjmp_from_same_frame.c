/*
 * longjmp_from_same_frame.c - longjmp called directly by the function that called setjmp.
 *
 * C11 7.13.2.1: nothing requires longjmp to be in a different function; a jump within one frame
 * (a "goto" over loops, used by parsers and state machines) returns to the setjmp like any other.
 * Also covers jumps out of nested loops and out of a block with its own local array.
 */
#include <setjmp.h>
#include <stdio.h>

int main(void)
{
    jmp_buf env;
    volatile int stage = 0;
    volatile int found_i = -1, found_j = -1;

    switch (setjmp(env)) {
    case 0:
        puts("searching");
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 10; j++)
                if (i * j == 42) {
                    found_i = i;
                    found_j = j;
                    longjmp(env, 1);
                }
        puts("not found (wrong)");
        break;
    case 1:
        printf("found %d*%d=42\n", found_i, found_j);
        stage = 1;
        break;
    default:
        puts("unexpected value");
        break;
    }

    if (stage == 1) {
        volatile int buf[16];
        for (int k = 0; k < 16; k++)
            buf[k] = k * k;
        if (setjmp(env) == 0) {
            stage = 2;
            longjmp(env, 3);
        }
        printf("stage=%d buf[15]=%d\n", stage, buf[15]);
    }
    return 0;
}
