/*
 * spawn_chain.c - contexts made and started from inside other made contexts, 50 deep, each
 * linked back to its creator with uc_link.
 *
 * POSIX makecontext/swapcontext may be called from any context. Context k (on its own malloc'd
 * stack) makes context k+1 with uc_link = &ctx[k] (k's own saved context) and swaps to it; the
 * deepest one suspends back to main once, main resumes it, and then each function returns in
 * turn: every return resumes the creator inside its swapcontext, which returns 0 and continues
 * with its locals intact. Each level keeps a local array that it checks after the chain below it
 * has finished.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define LEVELS 50
#define STACK_SIZE (32 * 1024)

static ucontext_t main_uc, ctx[LEVELS + 1];
static char *stacks[LEVELS + 1];
static int order[LEVELS + 1], norder;
static int bad;

static void level(int k)
{
    int local[16];
    for (int i = 0; i < 16; i++)
        local[i] = k * 100 + i;
    if (k == LEVELS) {
        printf("level %d: deepest, suspending to main\n", k);
        swapcontext(&ctx[k], &main_uc);
        printf("level %d: resumed by main\n", k);
    } else {
        getcontext(&ctx[k + 1]);
        ctx[k + 1].uc_stack.ss_sp = stacks[k + 1];
        ctx[k + 1].uc_stack.ss_size = STACK_SIZE;
        ctx[k + 1].uc_link = &ctx[k];
        makecontext(&ctx[k + 1], (void (*)(void))level, 1, k + 1);
        if (swapcontext(&ctx[k], &ctx[k + 1]) != 0)
            bad++;
    }
    for (int i = 0; i < 16; i++)
        if (local[i] != k * 100 + i)
            bad++;
    order[norder++] = k;
}

int main(void)
{
    for (int k = 0; k <= LEVELS; k++)
        stacks[k] = malloc(STACK_SIZE);
    getcontext(&ctx[0]);
    ctx[0].uc_stack.ss_sp = stacks[0];
    ctx[0].uc_stack.ss_size = STACK_SIZE;
    ctx[0].uc_link = &main_uc;
    makecontext(&ctx[0], (void (*)(void))level, 1, 0);
    swapcontext(&main_uc, &ctx[0]);
    puts("main: the deepest level suspended; resuming it");
    swapcontext(&main_uc, &ctx[LEVELS]);
    printf("main: back, %d levels finished, bad %d, order:", norder, bad);
    for (int i = 0; i < norder; i++)
        printf(" %d", order[i]);
    printf("\n");
    for (int k = 0; k <= LEVELS; k++)
        free(stacks[k]);
    return 0;
}
