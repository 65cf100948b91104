/*
 * underscore_setjmp.c - _setjmp and _longjmp.
 *
 * POSIX.1-2008 _longjmp/_setjmp: equivalent to longjmp/setjmp except that they need not save or
 * restore the signal mask. Same checks as for setjmp: direct return 0, _longjmp(env, 0) gives 1,
 * values pass through, jumps from callees several frames deep, repeated jumps. Only _longjmp is
 * used with an env set by _setjmp (POSIX pairs them). Lua uses this pair on POSIX systems.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void thrower(int depth, int v)
{
    if (depth > 0)
        thrower(depth - 1, v);
    _longjmp(env, v);
}

int main(void)
{
    volatile int n = 0;
    switch (_setjmp(env)) {
    case 0:
        puts("_setjmp returned 0");
        thrower(3, 0);
        break;
    case 1:
        puts("_longjmp(env, 0) gave 1");
        break;
    default:
        puts("unexpected");
        break;
    }
    for (n = 0; n < 5; n++) {
        switch (_setjmp(env)) {
        case 0: thrower(n, 40 + n); break;
        case 40: case 41: case 42: case 43: case 44:
            printf("caught round %d\n", n);
            break;
        default: puts("unexpected"); break;
        }
    }
    return 0;
}
