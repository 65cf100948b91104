/*
 * misuse_context_stack_exhausted.c - a context on a 2 KiB stack recurses until its stack is
 *                                    almost full, then swaps out: its frames cannot be saved.
 *                                    (Not differential; wasm only: uses <asyncify_rt.h>.)
 *
 * <ucontext.h>: a suspended context's frames are saved "into its own stack, directly below its
 * stack pointer"; <asyncify_rt.h>: "The shadow stack has no room for the frames an Asyncify unwind
 * must save" -> ASYNCIFY_RT_STATUS_STACK_EXHAUSTED. The recursion measures the context's
 * free stack with asyncify_rt_stack_bounds (which reports the running context's stack) and stops
 * with less than 128 bytes left, so the recursion itself never overruns the stack; the dozens of
 * frames below cannot be saved in 128 bytes. The stack is a static array of exactly 2 KiB (other
 * program and libc data lie around it), or with the argument "heap" a malloc'd block of 2 KiB:
 * the diagnosis must not depend on spare memory next to the context's stack. Expected stdout:
 * "diving\n" (nothing is printed inside the context: printf would need more than 2 KiB).
 */
#include <asyncify_rt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define CONTEXT_STACK 2048

static ucontext_t main_uc, uc;
static char *stack_low;
static volatile int reached;

NOINLINE static int dive(int depth)
{
    volatile char pad[48];
    pad[0] = (char)depth;
    if ((char *)pad - stack_low < 128) {
        reached = depth;
        swapcontext(&uc, &main_uc);
        return -1000000;
    }
    return dive(depth + 1) + pad[0];
}

static void body(void)
{
    void *low = 0;
    asyncify_rt_stack_bounds(&low, NULL);
    stack_low = low;
    dive(0);
}

static char static_stack[CONTEXT_STACK];

int main(int argc, char **argv)
{
    int heap = argc > 1 && strcmp(argv[1], "heap") == 0;
    getcontext(&uc);
    uc.uc_stack.ss_sp = heap ? malloc(CONTEXT_STACK) : static_stack;
    uc.uc_stack.ss_size = CONTEXT_STACK;
    uc.uc_link = &main_uc;
    makecontext(&uc, body, 0);
    puts("diving");
    fflush(stdout);
    swapcontext(&main_uc, &uc);
    printf("swapped out at depth %d (wrong)\n", reached);
    return 0;
}
