/*
 * longjmp_values.c - setjmp returns exactly the nonzero value passed to longjmp.
 *
 * C11 7.13.2.1p4: after longjmp "execution continues as if the corresponding invocation of the
 * setjmp macro had just returned the value specified by val". Values: 1, 2, 42, 255, 256,
 * 65536, -1, -7, INT_MAX, INT_MIN. setjmp's value is examined with switch, the conforming way
 * (C11 7.13.1.1p4).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;
static const int values[] = { 1, 2, 42, 255, 256, 65536, -1, -7, INT_MAX, INT_MIN };
#define NVALUES ((int)(sizeof values / sizeof values[0]))

NOINLINE static void thrower(int v)
{
    longjmp(env, v);
}

int main(void)
{
    volatile int i;
    for (i = 0; i < NVALUES; i++) {
        const char *got;
        switch (setjmp(env)) {
        case 0:
            thrower(values[i]);
            got = "thrower returned";
            break;
        case 1: got = "1"; break;
        case 2: got = "2"; break;
        case 42: got = "42"; break;
        case 255: got = "255"; break;
        case 256: got = "256"; break;
        case 65536: got = "65536"; break;
        case -1: got = "-1"; break;
        case -7: got = "-7"; break;
        case INT_MAX: got = "INT_MAX"; break;
        case INT_MIN: got = "INT_MIN"; break;
        default: got = "unexpected"; break;
        }
        printf("longjmp(env, %d) -> setjmp returned %s\n", values[i], got);
    }
    return 0;
}
