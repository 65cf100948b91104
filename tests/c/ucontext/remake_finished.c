/*
 * remake_finished.c - a context whose function returned is made again with makecontext and run
 * again, many times, on the same stack and the same ucontext_t.
 *
 * <ucontext.h>: "A context may be made again after its function returned." POSIX makecontext
 * modifies a context; nothing forbids reusing the storage. Covered: 1,000 make/run/finish cycles
 * alternating two functions with different argument counts, some of which suspend once in the
 * middle (so a cycle leaves saved frames on the stack that the next make must discard); a remake
 * without a getcontext in between; and a context made again while it is suspended mid-function
 * (its old activation is abandoned, as glibc does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (32 * 1024)
#define CYCLES 1000

static ucontext_t main_uc, uc;
static char *stack;
static unsigned acc;
static int suspended_runs, finished_runs;

NOINLINE static void maybe_suspend(int i)
{
    volatile char pad[100];
    pad[i % 100] = (char)i;
    if (i % 3 == 0) {
        suspended_runs++;
        swapcontext(&uc, &main_uc);
    }
    acc += (unsigned char)pad[i % 100];
}

static void f_one(int i)
{
    maybe_suspend(i);
    acc = acc * 31 + (unsigned)i;
    finished_runs++;
}

static void f_three(int i, int j, int k)
{
    maybe_suspend(i);
    acc = acc * 17 + (unsigned)(i + j * k);
    finished_runs++;
}

static void abandoned(int i)
{
    printf("abandoned(%d) started\n", i);
    swapcontext(&uc, &main_uc);
    puts("abandoned resumed (wrong)");
}

static void setup(int with_getcontext)
{
    if (with_getcontext)
        getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = STACK_SIZE;
    uc.uc_link = &main_uc;
}

int main(void)
{
    stack = malloc(STACK_SIZE);
    getcontext(&uc);
    for (int i = 0; i < CYCLES; i++) {
        setup(i % 2);
        if (i % 4 < 2)
            makecontext(&uc, (void (*)(void))f_one, 1, i);
        else
            makecontext(&uc, (void (*)(void))f_three, 3, i, i + 1, i + 2);
        int before = finished_runs;
        while (finished_runs == before)
            swapcontext(&main_uc, &uc);
    }
    printf("%d finished, %d suspended once, acc %u\n", finished_runs, suspended_runs, acc);

    /* Made again while suspended in the middle of abandoned(). */
    setup(1);
    makecontext(&uc, (void (*)(void))abandoned, 1, 1);
    swapcontext(&main_uc, &uc);
    setup(1);
    makecontext(&uc, (void (*)(void))f_one, 1, 1);
    swapcontext(&main_uc, &uc);
    printf("after remaking a suspended context: %d finished, acc %u\n", finished_runs, acc);
    free(stack);
    return 0;
}
