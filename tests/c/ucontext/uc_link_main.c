/*
 * uc_link_main.c - a made context whose function returns resumes the context uc_link points to.
 *
 * POSIX makecontext: "when this function returns, the context pointed to by uc_link is resumed".
 * Covered: uc_link = the context main saved with swapcontext (main's swapcontext returns 0);
 * uc_link = a context main saved with getcontext (that getcontext returns again, told apart by a
 * flag); a chain a -> b -> main where a's function returning starts b, which was made but never
 * run; and uc_link to main from a function that returned through several frames of its own
 * stack. Main's locals (volatile) keep their values throughout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (64 * 1024)

static ucontext_t main_uc, got_uc, a_uc, b_uc;
static char stack_a[STACK_SIZE], stack_b[STACK_SIZE];
static int trace[16], ntrace;

static void note(int v)
{
    trace[ntrace++] = v;
    printf("note %d\n", v);
}

NOINLINE static int nested(int n)
{
    if (n == 0)
        return 1;
    return nested(n - 1) * 2 + n;
}

static void fa(int x)
{
    note(x);
    note(nested(x));
}

static void fb(int x)
{
    note(x * 100);
}

static void make(ucontext_t *uc, char *stack, ucontext_t *link, void (*fn)(void), int arg)
{
    getcontext(uc);
    uc->uc_stack.ss_sp = stack;
    uc->uc_stack.ss_size = STACK_SIZE;
    uc->uc_link = link;
    makecontext(uc, fn, 1, arg);
}

int main(void)
{
    volatile int keep = 1234;

    /* 1. uc_link = the context of main's swapcontext. */
    make(&a_uc, stack_a, &main_uc, (void (*)(void))fa, 5);
    int r = swapcontext(&main_uc, &a_uc);
    printf("1: swapcontext returned %d, keep %d\n", r, keep);

    /* 2. uc_link = a getcontext in main. */
    volatile int resumed = 0;
    getcontext(&got_uc);
    if (!resumed) {
        resumed = 1;
        make(&a_uc, stack_a, &got_uc, (void (*)(void))fa, 3);
        setcontext(&a_uc);
        puts("setcontext returned (wrong)");
        return 1;
    }
    printf("2: getcontext returned again, keep %d\n", keep);

    /* 3. a -> b -> main. */
    make(&b_uc, stack_b, &main_uc, (void (*)(void))fb, 7);
    make(&a_uc, stack_a, &b_uc, (void (*)(void))fa, 2);
    swapcontext(&main_uc, &a_uc);
    printf("3: chain done, keep %d\n", keep);

    int sum = 0;
    for (int i = 0; i < ntrace; i++)
        sum = sum * 7 + trace[i];
    printf("%d notes, checksum %d\n", ntrace, sum);
    return 0;
}
