/* in_context, unit 1 (main and context A): see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"

#define STACK_SIZE (256 * 1024)

ucontext_t main_uc, a_uc, b_uc;
static volatile unsigned long sink;

NOINLINE void u1_dive_throw(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    if (depth > 1)
        u1_dive_throw(env, depth - 1, val);
    else
        longjmp(env, val);
    sink += (unsigned long)here; /* not reached */
}

/* Switches from `self` to `to`; when resumed, jumps to env from 4 frames down. */
NOINLINE void u1_swap_then_throw(ucontext_t *self, ucontext_t *to, jmp_buf env, int val)
{
    volatile int local = val * 3;
    if (swapcontext(self, to) != 0)
        exit(2);
    printf("  unit1: resumed (local %d), throwing %d\n", local, val);
    u1_dive_throw(env, 4, val);
}

NOINLINE int u1_catch(int depth, int val)
{
    jmp_buf env;
    volatile int tries = 0;
    int r = setjmp(env);
    tries++;
    if (r == 0)
        u2_dive_throw(env, depth, val);
    return r * 10 + tries;
}

/* Context A. */
void u1_ctx_a(void)
{
    jmp_buf env;
    volatile int step = 0;
    int r = setjmp(env);
    printf("A: setjmp returned %d at step %d\n", r, step);
    step++;
    if (step == 1)
        u2_dive_throw(env, 6, 11); /* 1. */
    if (step == 2)
        u2_swap_then_throw(&a_uc, &main_uc, env, 12); /* 2. */
    if (step == 3) {
        printf("A: unit2 caught %d in A\n", u2_catch(6, 13)); /* 1. reverse, in A */
        printf("A: unit2 env around a switch to B: %d\n", u2_catch_around_switch()); /* 3. */
        printf("A: %d throws caught\n", u2_throws(1000)); /* 4. */
    }
    printf("A: done\n");
}

static void make(ucontext_t *uc, void (*fn)(void), int argc, int arg)
{
    char *stack = malloc(STACK_SIZE);
    if (!stack || getcontext(uc) != 0)
        exit(4);
    uc->uc_stack.ss_sp = stack;
    uc->uc_stack.ss_size = STACK_SIZE;
    uc->uc_link = &main_uc;
    if (argc == 0)
        makecontext(uc, fn, 0);
    else
        makecontext(uc, fn, 1, arg);
}

int main(void)
{
    jmp_buf main_env;
    volatile int main_steps = 0;
    int r = setjmp(main_env);
    main_steps++;
    printf("main: setjmp returned %d (step %d)\n", r, main_steps);
    if (r != 0)
        return 3;

    make(&a_uc, u1_ctx_a, 0, 0);
    make(&b_uc, (void (*)(void))u2_ctx_b, 1, 7);
    puts("main: to A");
    swapcontext(&main_uc, &a_uc); /* A swaps out in step 2 */
    puts("main: A suspended; to B");
    swapcontext(&main_uc, &b_uc); /* B swaps out in its step 2 */
    puts("main: B suspended; resuming A");
    swapcontext(&main_uc, &a_uc); /* A finishes (3. switches to B and back) */
    puts("main: A finished; resuming B");
    swapcontext(&main_uc, &b_uc); /* B finishes */
    puts("main: B finished");
    printf("main: unit2 caught %d on the main stack\n", u2_catch(5, 21));
    u2_dive_throw(main_env, 8, 5); /* 5. */
    return 0;
}
