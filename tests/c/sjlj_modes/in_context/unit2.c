/* in_context, unit 2 (context B): see shared.h. */
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

NOINLINE void u2_swap_then_throw(ucontext_t *self, ucontext_t *to, jmp_buf env, int val)
{
    volatile int local = val * 3;
    if (swapcontext(self, to) != 0)
        exit(2);
    printf("  unit2: resumed (local %d), throwing %d\n", local, val);
    u2_dive_throw(env, 4, val);
}

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

/* 3., in A: env set here; unit1 switches directly to B and, once back, jumps here. */
static volatile int b_may_visit;
NOINLINE int u2_catch_around_switch(void)
{
    jmp_buf env;
    volatile int before = 1;
    int r = setjmp(env);
    if (r == 0) {
        before = 2;
        b_may_visit = 1;
        u1_swap_then_throw(&a_uc, &b_uc, env, 31);
    }
    return r * 10 + before;
}

/* 4. */
NOINLINE int u2_throws(int n)
{
    jmp_buf env;
    volatile int caught = 0;
    volatile int i;
    for (i = 0; i < n; i++) {
        if (setjmp(env) == 0)
            u1_dive_throw(env, 1 + i % 5, i + 1);
        else
            caught++;
    }
    return caught;
}

/* Context B. */
void u2_ctx_b(int arg)
{
    jmp_buf env;
    volatile int step = 0;
    int r = setjmp(env);
    printf("B(%d): setjmp returned %d at step %d\n", arg, r, step);
    step++;
    if (step == 1)
        u1_dive_throw(env, 6, 41); /* 1. */
    if (step == 2)
        u1_swap_then_throw(&b_uc, &main_uc, env, 42); /* 2. */
    if (step == 3) {
        printf("B: unit1 caught %d in B\n", u1_catch(6, 43));
        if (b_may_visit) {
            /* 3., the visit from A: own env, own jump, back to A. */
            jmp_buf visit;
            int v = setjmp(visit);
            if (v == 0)
                u1_dive_throw(visit, 3, 44);
            printf("B: visited from A, caught %d; back to A\n", v);
            b_may_visit = 0;
            swapcontext(&b_uc, &a_uc);
            puts("B: resumed by main");
        }
        printf("B: %d throws caught\n", u2_throws(1000));
    }
    printf("B: done\n");
}
