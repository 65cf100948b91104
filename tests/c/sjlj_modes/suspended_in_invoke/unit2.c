/* suspended_in_invoke, unit 2 (the calls that suspend): see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"

static volatile unsigned long sink;

NOINLINE void u2_dive_throw(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    if (depth > 1)
        u2_dive_throw(env, depth - 1, val);
    else
        longjmp(env, val);
    sink += (unsigned long)here; /* not reached */
}

/* Suspends worker `id` (back to main); returns when resumed. */
NOINLINE int u2_pause(int id, int tag)
{
    volatile int local = 1000 * tag + id;
    if (swapcontext(&worker_uc[id], &main_uc) != 0)
        exit(2);
    return local;
}

NOINLINE void u2_pause_then_throw(int id, jmp_buf env, int val)
{
    int got = u2_pause(id, 2);
    printf("worker %d: resumed (%d), jumping with %d\n", id, got, val);
    u2_dive_throw(env, 4, val);
}
