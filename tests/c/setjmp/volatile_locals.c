/*
 * volatile_locals.c - volatile locals keep their latest values after longjmp.
 *
 * C11 7.13.2.1p3: after longjmp, all accessible objects have values as of the time longjmp was
 * called, except non-volatile automatic objects of the setjmp caller changed between setjmp and
 * longjmp, which are indeterminate. So this program prints only (a) volatile locals changed
 * after setjmp, of several types (char, short, int, long long, float, double, pointer, struct,
 * array), and (b) non-volatile locals that were not changed after setjmp (they must keep their
 * values too). Non-volatile locals changed after setjmp are never printed: their values differ
 * between implementations by design.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void thrower(void)
{
    longjmp(env, 1);
}

struct pair { int a; double b; };

int main(void)
{
    static const char *names[] = { "zero", "one", "two", "three" };
    volatile char vc = 'a';
    volatile short vs = 1000;
    volatile int vi = 1;
    volatile long long vll = 1LL << 40;
    volatile float vf = 0.5f;
    volatile double vd = 0.25;
    const char *volatile vp = names[0];
    volatile struct pair vpair = { 1, 1.5 };
    volatile int varr[4] = { 0, 0, 0, 0 };
    volatile int rounds = 0;

    /* not volatile, and never changed after setjmp: must keep these values */
    int fixed_i = 12345;
    long long fixed_ll = -9876543210LL;
    double fixed_d = 3.0 / 8.0;
    const char *fixed_p = names[3];

    if (setjmp(env) != 0) {
        printf("after jump %d: vc=%c vs=%d vi=%d vll=%lld vf=%.3f vd=%.4f vp=%s "
               "pair={%d,%.2f} arr={%d,%d,%d,%d}\n",
               rounds, vc, vs, vi, vll, (double)vf, vd, vp, vpair.a, vpair.b,
               varr[0], varr[1], varr[2], varr[3]);
        printf("  unchanged: %d %lld %.3f %s\n", fixed_i, fixed_ll, fixed_d, fixed_p);
    }
    if (rounds < 3) {
        rounds++;
        vc++;
        vs = (short)(vs * 2);
        vi *= -3;
        vll += 7;
        vf *= 3.0f;
        vd -= 1.125;
        vp = names[rounds];
        vpair.a += 10;
        vpair.b *= 2.0;
        varr[rounds] = rounds * 11;
        thrower();
    }
    return 0;
}
