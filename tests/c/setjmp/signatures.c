/*
 * signatures.c - longjmp out of functions of many signatures, and normal returns of them.
 *
 * C11 7.13.2.1. Implementations that lower setjmp by wrapping every call made after it (by call
 * signature) must handle each parameter and result type: int, long long, float, double, pointer
 * and void, with mixed argument lists. Each function either returns a value computed from all its
 * arguments (printed, so wrong argument passing shows) or longjmps when its flag argument says so.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void v_i(int jump) { if (jump) longjmp(env, 1); }
NOINLINE static int i_iii(int a, int b, int jump) { if (jump) longjmp(env, 2); return a * 100 + b; }
NOINLINE static long long j_jij(long long a, int b, long long jump)
{
    if (jump) longjmp(env, 3);
    return a * 1000 + b;
}
NOINLINE static float f_fdi(float a, double b, int jump)
{
    if (jump) longjmp(env, 4);
    return a + (float)b;
}
NOINLINE static double d_dfji(double a, float b, long long c, int jump)
{
    if (jump) longjmp(env, 5);
    return a * b + (double)c;
}
NOINLINE static const char *p_pii(const char *s, int skip, int jump)
{
    if (jump) longjmp(env, 6);
    return s + skip;
}
NOINLINE static long long j_many(int a, long long b, float c, double d, int e, long long f, int jump)
{
    if (jump) longjmp(env, 7);
    return a + b + (long long)c + (long long)d + e + f;
}

static void call_all(int which_jumps)
{
    v_i(which_jumps == 1);
    printf("  i_iii: %d\n", i_iii(12, 34, which_jumps == 2));
    printf("  j_jij: %lld\n", j_jij(123456789012LL, 7, which_jumps == 3));
    printf("  f_fdi: %.3f\n", (double)f_fdi(1.25f, 2.5, which_jumps == 4));
    printf("  d_dfji: %.3f\n", d_dfji(3.5, 2.0f, 10000000000LL, which_jumps == 5));
    printf("  p_pii: %s\n", p_pii("signatures", 3, which_jumps == 6));
    printf("  j_many: %lld\n", j_many(1, 2LL << 40, 3.75f, 4.5, 5, -6, which_jumps == 7));
}

int main(void)
{
    volatile int k;
    for (k = 0; k <= 7; k++) {
        printf("round %d\n", k);
        switch (setjmp(env)) {
        case 0:
            call_all(k);
            puts("  all returned");
            break;
        case 1: puts("  jumped from v_i"); break;
        case 2: puts("  jumped from i_iii"); break;
        case 3: puts("  jumped from j_jij"); break;
        case 4: puts("  jumped from f_fdi"); break;
        case 5: puts("  jumped from d_dfji"); break;
        case 6: puts("  jumped from p_pii"); break;
        case 7: puts("  jumped from j_many"); break;
        default: puts("  unexpected"); break;
        }
    }
    return 0;
}
