/* cross_jump, unit 1 (main): see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"

volatile unsigned long u1_sink;

/* Recurses `depth` frames in this unit, then jumps. */
NOINLINE void u1_dive_throw(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    if (depth > 1)
        u1_dive_throw(env, depth - 1, val);
    else
        longjmp(env, val);
    u1_sink += (unsigned long)here; /* not reached */
}

/* One frame of the alternating chain; the bottom jumps. */
NOINLINE int u1_alternate(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    int r;
    if (depth <= 0)
        longjmp(env, val);
    r = u2_alternate(env, depth - 1, val);
    return r + here; /* not reached */
}

/* 1. env set here, the jump comes from unit2. */
NOINLINE static void set_here_jump_there(int depth)
{
    jmp_buf env;
    volatile int steps = 0;
    int r = setjmp(env);
    steps++;
    if (r == 0)
        u2_dive_throw(env, depth, 100 + depth);
    printf("1. unit1 env, unit2 jumps from depth %d: setjmp returned %d after %d steps\n", depth, r, steps);
}

/* 3. */
NOINLINE static void alternating(int depth)
{
    jmp_buf env;
    volatile int progress = 1;
    int r = setjmp(env);
    if (r == 0) {
        progress = 2;
        u1_alternate(env, depth, 7);
    }
    printf("3. alternating chain of %d frames: setjmp returned %d, progress %d\n", depth, r, progress);
}

/* 4a. The outer env is set here, the inner one in unit2. */
NOINLINE static void nested_outer_here(void)
{
    jmp_buf outer;
    volatile int phase = 0;
    int r = setjmp(outer);
    if (r == 0) {
        phase = 1;
        u2_inner_then_outer(outer, 41);
        phase = 99; /* not reached */
    }
    printf("4a. outer env in unit1 caught %d at phase %d\n", r, phase);
}

/* 5. */
NOINLINE static void values(void)
{
    static const int vals[] = {0, 1, -1, 2147483647, -2147483647 - 1, 12345};
    for (int i = 0; i < 6; i++) {
        jmp_buf env;
        int r = setjmp(env);
        if (r == 0)
            u2_dive_throw(env, 3, vals[i]);
        printf("5. longjmp(env, %d) -> setjmp returned %d\n", vals[i], r);
    }
}

/* 6. */
NOINLINE static void round_trips(int n)
{
    jmp_buf env;
    volatile int caught = 0;
    volatile int i;
    for (i = 0; i < n; i++) {
        if (setjmp(env) == 0)
            u2_dive_throw(env, 1 + i % 4, i + 1);
        else
            caught++;
    }
    printf("6. %d round trips unit1 env <- unit2 jump: %d caught\n", n, caught);
}

/* 7. */
NOINLINE static void sort_throw(void)
{
    jmp_buf env;
    int r = setjmp(env);
    if (r == 0)
        u2_sort_and_throw(env, 10);
    printf("7. qsort comparator in unit2 jumped out: setjmp returned %d\n", r);
}

/* 8. */
NOINLINE static void other_storage(void)
{
    jmp_buf *heap = malloc(sizeof(jmp_buf));
    int r = setjmp(u2_global_env);
    if (r == 0)
        u2_dive_throw(u2_global_env, 6, 8);
    printf("8. env in a unit2 global: setjmp returned %d\n", r);
    r = setjmp(*heap);
    if (r == 0)
        u2_dive_throw(*heap, 6, 9);
    printf("8. env on the heap: setjmp returned %d\n", r);
    free(heap);
}

int main(void)
{
    static const int depths[] = {1, 5, 50, 1000};
    for (int i = 0; i < 4; i++)
        set_here_jump_there(depths[i]);
    for (int i = 0; i < 4; i++)
        printf("2. unit2 env, unit1 jumps from depth %d: caught %d\n", depths[i], u2_catch(depths[i], 200 + depths[i]));
    alternating(300);
    nested_outer_here();
    printf("4b. outer env in unit2 returned %d\n", u2_outer(43));
    values();
    round_trips(10000);
    printf("6. %d round trips unit2 env <- unit1 jump: %d caught\n", 10000, u2_round_trips(10000));
    sort_throw();
    other_storage();
    printf("sink %lu\n", u1_sink);
    return 0;
}
