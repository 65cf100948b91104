/*
 * yield_two_sites.c - a context that suspends alternately from two different call sites must
 * not use more stack with every switch.
 *
 * POSIX swapcontext saves the current context in oucp, replacing what oucp held. A coroutine
 * that yields sometimes from one helper and sometimes from a deeper one (any scheduler's task
 * does) re-saves the same ucontext_t from alternating places, 1,000 times here, on a 16 KiB
 * stack. Nothing of an earlier save is needed once the context has resumed from it, so the stack
 * in use must stay bounded: after every resume the address of a probe local (called from the
 * same place in the task's loop) must be the one seen after the first two switches. Only the
 * number of rounds where it differed is printed. Also done with three sites at three depths.
 */
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define SWITCHES 1000

static ucontext_t main_uc, uc;
static char stack[16 * 1024];
static int finished;

NOINLINE static uintptr_t probe(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}

NOINLINE static void yield(void)
{
    swapcontext(&uc, &main_uc);
}

NOINLINE static void yield_nested(int depth)
{
    volatile int here = depth;
    if (depth > 0)
        yield_nested(depth - 1);
    else
        yield();
    (void)here;
}

static void task(int sites)
{
    uintptr_t reference = 0;
    int moved = 0;
    for (int r = 0; r < SWITCHES; r++) {
        switch (r % sites) {
        case 0: yield(); break;
        case 1: yield_nested(2); break;
        default: swapcontext(&uc, &main_uc); break;
        }
        uintptr_t p = probe();
        if (r == sites)
            reference = p;
        else if (r > sites && p != reference)
            moved++;
    }
    printf("%d sites: %d switches, probe moved in %d rounds\n", sites, SWITCHES, moved);
    finished = 1;
}

int main(void)
{
    for (int sites = 2; sites <= 3; sites++) {
        getcontext(&uc);
        uc.uc_stack.ss_sp = stack;
        uc.uc_stack.ss_size = sizeof stack;
        uc.uc_link = &main_uc;
        makecontext(&uc, (void (*)(void))task, 1, sites);
        finished = 0;
        int resumes = 0;
        while (!finished) {
            swapcontext(&main_uc, &uc);
            resumes++;
        }
        printf("main: %d resumes\n", resumes);
    }
    return 0;
}
