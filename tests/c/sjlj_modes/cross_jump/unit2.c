/* cross_jump, unit 2: see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"

static volatile unsigned long u2_sink;
jmp_buf u2_global_env;

/* Recurses `depth` frames in this unit, then jumps. */
NOINLINE void u2_dive_throw(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    if (depth > 1)
        u2_dive_throw(env, depth - 1, val);
    else
        longjmp(env, val);
    u2_sink += (unsigned long)here; /* not reached */
}

NOINLINE int u2_alternate(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    int r;
    if (depth <= 0)
        longjmp(env, val);
    r = u1_alternate(env, depth - 1, val);
    return r + here; /* not reached */
}

/* 2. env set here, the jump comes from unit1. */
NOINLINE int u2_catch(int depth, int val)
{
    jmp_buf env;
    volatile int tries = 0;
    int r = setjmp(env);
    tries++;
    if (r == 0)
        u1_dive_throw(env, depth, val);
    return r * 10 + tries;
}

/* 4a. Sets an inner env, lets unit1 jump to it, then lets unit1 jump to the outer env: the
 * second jump passes this function (its own setjmp caller) by. */
NOINLINE int u2_inner_then_outer(jmp_buf outer, int val)
{
    jmp_buf inner;
    volatile int inner_hits = 0;
    int r = setjmp(inner);
    if (r == 0)
        u1_dive_throw(inner, 4, 5);
    inner_hits++;
    printf("4a. inner env in unit2 caught %d (hit %d); now jumping past it\n", r, inner_hits);
    u1_dive_throw(outer, 3, val);
    return -1; /* not reached */
}

/* 4b. The roles swapped: both envs are set in this unit (outer in u2_outer, inner here) and the
 * jumps come from the bottom of unit1's alternating chain, which passes through unit2 frames on
 * its way down; the second jump passes this function by. */
NOINLINE static int middle(jmp_buf outer, int val)
{
    jmp_buf inner;
    volatile int seen = 0;
    int r = setjmp(inner);
    if (r == 0)
        u1_alternate(inner, 9, 6);
    seen = r;
    printf("4b. middle env in unit2 caught %d\n", seen);
    u1_alternate(outer, 10, val);
    return -1; /* not reached */
}

NOINLINE int u2_outer(int val)
{
    jmp_buf outer;
    volatile int phase = 0;
    int r = setjmp(outer);
    if (r == 0) {
        phase = 1;
        middle(outer, val);
    }
    return r * 100 + phase;
}

/* 6, the other direction. */
NOINLINE int u2_round_trips(int n)
{
    jmp_buf env;
    volatile int caught = 0;
    volatile int i;
    for (i = 0; i < n; i++) {
        if (setjmp(env) == 0)
            u1_dive_throw(env, 1 + i % 4, i + 1);
        else
            caught++;
    }
    return caught;
}

/* 7. */
static jmp_buf *sort_env;
static int sort_calls, sort_after;

static int compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (++sort_calls == sort_after)
        longjmp(*sort_env, sort_calls);
    return (x > y) - (x < y);
}

NOINLINE int u2_sort_and_throw(jmp_buf env, int after)
{
    int a[64];
    for (int i = 0; i < 64; i++)
        a[i] = (i * 37) % 64;
    sort_env = (jmp_buf *)env;
    sort_calls = 0;
    sort_after = after;
    qsort(a, 64, sizeof a[0], compare);
    return -1; /* not reached */
}
