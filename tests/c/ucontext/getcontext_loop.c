/*
 * getcontext_loop.c - setcontext back to a getcontext, many times, in constant stack.
 *
 * POSIX getcontext/setcontext: setcontext resumes the context saved by getcontext, which
 * "returns" again (with 0, so the program keeps its state in memory). Covered: a loop of 100,000
 * iterations driven by a volatile local; one driven by a global, where setcontext is called from
 * a nested function; the same loop inside a made context (on its own stack), which then returns
 * to main through uc_link; and a getcontext whose caller keeps working between the save and the
 * resume. After each loop the address of a probe local (called from the same place) must equal the
 * one seen after the first resume: repeated resumes must not leak stack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define N 100000

static ucontext_t uc, main_uc, made_uc;
static int global_counter;
static uintptr_t probe_first;
static int probe_moved;

NOINLINE static uintptr_t probe(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}

NOINLINE static void check_probe(int first)
{
    uintptr_t p = probe();
    if (first)
        probe_first = p;
    else if (p != probe_first)
        probe_moved++;
}

NOINLINE static void resume_from_nested(int depth)
{
    if (depth > 0) {
        resume_from_nested(depth - 1);
        return;
    }
    setcontext(&uc);
    puts("setcontext returned (wrong)");
    exit(1);
}

NOINLINE static void loop_volatile_local(void)
{
    volatile int counter = 0;
    volatile long long sum = 0;
    getcontext(&uc);
    if (counter >= 1)
        check_probe(counter == 1);
    counter++;
    sum += counter;
    if (counter < N)
        setcontext(&uc);
    printf("volatile local: counter %d, sum %lld, probe moved %d times\n", counter, sum, probe_moved);
}

NOINLINE static void loop_global(void)
{
    global_counter = 0;
    probe_moved = 0;
    getcontext(&uc);
    if (global_counter >= 1)
        check_probe(global_counter == 1);
    global_counter++;
    if (global_counter < N)
        resume_from_nested(global_counter % 5);
    printf("global: counter %d, probe moved %d times\n", global_counter, probe_moved);
}

static void in_made_context(int n)
{
    volatile int counter = 0;
    getcontext(&uc);
    counter++;
    if (counter < n)
        setcontext(&uc);
    printf("made context: counter %d\n", counter);
}

NOINLINE static void work_between(void)
{
    volatile int phase = 0;
    volatile int scratch[64];
    getcontext(&uc);
    phase++;
    for (int i = 0; i < 64; i++)
        scratch[i] = phase * i;
    if (phase < 4) {
        /* Calls between the save and the resume use the stack below getcontext's caller. */
        check_probe(1);
        printf("phase %d, scratch[63] = %d\n", phase, scratch[63]);
        setcontext(&uc);
    }
    printf("work between: phase %d\n", phase);
}

int main(void)
{
    loop_volatile_local();
    loop_global();

    char *stack = malloc(64 * 1024);
    getcontext(&made_uc);
    made_uc.uc_stack.ss_sp = stack;
    made_uc.uc_stack.ss_size = 64 * 1024;
    made_uc.uc_link = &main_uc;
    makecontext(&made_uc, (void (*)(void))in_made_context, 1, 1000);
    if (swapcontext(&main_uc, &made_uc) != 0) {
        puts("swapcontext failed");
        return 1;
    }
    puts("back in main");

    work_between();
    free(stack);
    return 0;
}
