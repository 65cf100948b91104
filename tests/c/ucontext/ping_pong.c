/*
 * ping_pong.c - two made contexts swap to each other 100,000 times, in constant stack.
 *
 * POSIX swapcontext between two contexts neither of which is main's: ping and pong each pass a
 * counter to the other through a shared variable and check they see the value the other just
 * wrote; ping finishes after 100,000 round trips and its uc_link resumes main; pong is left
 * suspended (never resumed again). A local's address in each context is sampled after its first
 * and its last resume and must be unchanged (no stack growth per switch); only whether they are
 * equal is printed. (Not before the first suspension: asyncify-rt, like its setjmp, may keep a
 * saved chain below the stack pointer of the function that saved it.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define ROUNDS 100000
#define STACK_SIZE (32 * 1024)

static ucontext_t main_uc, ping_uc, pong_uc;
static volatile long ball;
static long errors;
static uintptr_t ping_first, ping_last, pong_first, pong_last;

NOINLINE static uintptr_t probe(void)
{
    volatile char here = 0;
    return (uintptr_t)&here;
}

static void ping(void)
{
    for (long i = 0; i < ROUNDS; i++) {
        if (ball != 2 * i)
            errors++;
        ball = 2 * i + 1;
        swapcontext(&ping_uc, &pong_uc);
        if (i == 0)
            ping_first = probe();
        if (i == ROUNDS - 1)
            ping_last = probe();
    }
    printf("ping done: ball %ld\n", ball);
}

static void pong(void)
{
    for (long i = 0;; i++) {
        if (ball != 2 * i + 1)
            errors++;
        ball = 2 * i + 2;
        if (i == 1)
            pong_first = probe();
        if (i == ROUNDS - 1)
            pong_last = probe();
        swapcontext(&pong_uc, &ping_uc);
    }
}

int main(void)
{
    char *s1 = malloc(STACK_SIZE), *s2 = malloc(STACK_SIZE);
    getcontext(&ping_uc);
    ping_uc.uc_stack.ss_sp = s1;
    ping_uc.uc_stack.ss_size = STACK_SIZE;
    ping_uc.uc_link = &main_uc;
    makecontext(&ping_uc, ping, 0);
    getcontext(&pong_uc);
    pong_uc.uc_stack.ss_sp = s2;
    pong_uc.uc_stack.ss_size = STACK_SIZE;
    pong_uc.uc_link = &main_uc;
    makecontext(&pong_uc, pong, 0);
    swapcontext(&main_uc, &ping_uc);
    printf("main: errors %ld, ping stack steady %d, pong stack steady %d\n", errors, ping_first == ping_last,
           pong_first == pong_last);
    free(s1);
    free(s2);
    return 0;
}
