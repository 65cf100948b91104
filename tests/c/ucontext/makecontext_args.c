/*
 * makecontext_args.c - makecontext passes 0, 1, 8, 12 and 64 int arguments to the function.
 *
 * POSIX makecontext: "the function is passed argc int arguments following argc"; <ucontext.h>
 * here accepts 0 to ASYNCIFY_RT_MAX_CONTEXT_ARGS (64). Each function prints what it received
 * (negative, zero, INT_MIN/INT_MAX and distinct per-position values) and returns; uc_link brings
 * main back. The 64-argument context is made and run twice with different values, reusing the
 * ucontext_t and the stack.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define STACK_SIZE (64 * 1024)

static ucontext_t main_uc, uc;
static char stack[STACK_SIZE];
static int calls;

static void f0(void)
{
    calls++;
    puts("f0()");
}

static void f1(int a)
{
    calls++;
    printf("f1(%d)\n", a);
}

static void f8(int a, int b, int c, int d, int e, int f, int g, int h)
{
    calls++;
    printf("f8(%d, %d, %d, %d, %d, %d, %d, %d)\n", a, b, c, d, e, f, g, h);
}

static void f12(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j, int k, int l)
{
    calls++;
    printf("f12(%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d)\n", a, b, c, d, e, f, g, h, i, j, k, l);
}

#define P8(p) int p##0, int p##1, int p##2, int p##3, int p##4, int p##5, int p##6, int p##7
#define A8(p) p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7

static void f64(P8(a), P8(b), P8(c), P8(d), P8(e), P8(f), P8(g), P8(h))
{
    int v[64] = { A8(a), A8(b), A8(c), A8(d), A8(e), A8(f), A8(g), A8(h) };
    calls++;
    printf("f64(");
    for (int i = 0; i < 64; i++)
        printf(i ? ", %d" : "%d", v[i]);
    printf(")\n");
}

#define V8(x) (x) + 0, (x) - 1, (x) * 2, (x) ^ 0x55, -(x), (x) + 100, (x) * 3, (x) - 1000
#define V64(x) V8((x) + 1), V8((x) + 2), V8((x) + 3), V8((x) + 4), V8((x) + 5), V8((x) + 6), V8((x) + 7), V8((x) + 8)

static void prepare(void)
{
    if (getcontext(&uc) != 0) {
        puts("getcontext failed");
        exit(1);
    }
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = &main_uc;
}

static void run(void)
{
    if (swapcontext(&main_uc, &uc) != 0) {
        puts("swapcontext failed");
        exit(1);
    }
}

int main(void)
{
    prepare();
    makecontext(&uc, f0, 0);
    run();

    prepare();
    makecontext(&uc, (void (*)(void))f1, 1, -42);
    run();

    prepare();
    makecontext(&uc, (void (*)(void))f8, 8, 1, -2, 3, -4, INT_MAX, INT_MIN, 0, 8);
    run();

    prepare();
    makecontext(&uc, (void (*)(void))f12, 12, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, -1);
    run();

    prepare();
    makecontext(&uc, (void (*)(void))f64, 64, V64(10));
    run();

    prepare();
    makecontext(&uc, (void (*)(void))f64, 64, V64(-50000));
    run();

    printf("%d calls\n", calls);
    return 0;
}
