/* suspended_in_invoke, unit 1 (main, the workers): see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"

#define STACK_SIZE (128 * 1024)

ucontext_t main_uc, worker_uc[WORKERS];
static int finished[WORKERS];

/* 3.: a second setjmp caller between the worker and the jump. */
NOINLINE static int nested(int id, jmp_buf outer)
{
    jmp_buf inner;
    volatile int inner_hits = 0;
    int r = setjmp(inner);
    if (r != 0) {
        inner_hits++;
        printf("worker %d: nested caught %d (wrong)\n", id, r);
        return -1;
    }
    u2_pause_then_throw(id, outer, 300 + id);
    return inner_hits; /* not reached */
}

static void worker(int id)
{
    jmp_buf env;
    volatile int step = 0;
    volatile int resumed_value = 0;
    int r = setjmp(env);
    printf("worker %d: setjmp returned %d at step %d\n", id, r, step);
    step++;
    if (step == 1) {
        resumed_value = u2_pause(id, 1); /* 1. */
        printf("worker %d: pause returned %d\n", id, resumed_value);
        u2_pause_then_throw(id, env, 100 + id); /* 2. */
    }
    if (step == 2)
        nested(id, env); /* 3. */
    printf("worker %d: done (step %d, pause value %d)\n", id, step, resumed_value);
    finished[id] = 1;
}

NOINLINE static void main_throw(int round)
{
    jmp_buf env;
    volatile int tries = 0;
    int r = setjmp(env);
    tries++;
    if (r == 0)
        u2_dive_throw(env, 3, 50 + round);
    printf("main: round %d, own env caught %d after %d tries\n", round, r, tries);
}

int main(void)
{
    for (int i = 0; i < WORKERS; i++) {
        char *stack = malloc(STACK_SIZE);
        if (!stack || getcontext(&worker_uc[i]) != 0)
            return 4;
        worker_uc[i].uc_stack.ss_sp = stack;
        worker_uc[i].uc_stack.ss_size = STACK_SIZE;
        worker_uc[i].uc_link = &main_uc;
        makecontext(&worker_uc[i], (void (*)(void))worker, 1, i);
    }
    for (int round = 0; round < 4; round++) {
        main_throw(round);
        for (int k = 0; k < WORKERS; k++) {
            int id = (round + 2 * k) % WORKERS; /* a different order each round */
            if (!finished[id]) {
                printf("main: round %d, resuming worker %d\n", round, id);
                swapcontext(&main_uc, &worker_uc[id]);
            }
        }
    }
    for (int i = 0; i < WORKERS; i++)
        printf("worker %d finished: %s\n", i, finished[i] ? "yes" : "no");
    return 0;
}
