/* transparency, unit 1 (main, run_round, the generator): see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"

ucontext_t main_uc, gen_uc;
volatile unsigned secret_seed = 0x2545f491u;
static volatile int generated;

NOINLINE unsigned u1_secret(int round)
{
    return (secret_seed ^ 0x6a09e667u) * 2654435761u + (unsigned)round * 40503u;
}

int u1_generated(void)
{
    return generated;
}

/* The generator: each resumption advances by one, throwing to itself on the way. */
static void generator(void)
{
    for (;;) {
        jmp_buf env;
        int r = setjmp(env);
        if (r == 0)
            u2_dive_throw(env, 2, generated + 1);
        generated = r;
        swapcontext(&gen_uc, &main_uc);
    }
}

NOINLINE static void run_round(int round)
{
    jmp_buf env;
    volatile int phase = 0;
    unsigned mine = u1_secret(round); /* a local of the setjmp caller, never modified */
    int r = setjmp(env);
    if (r == 0) {
        phase = 1;
        u2_visit(env, round);
        phase = 99; /* not reached */
    }
    printf("round %d: setjmp returned %d, phase %d, own local %s, generator at %d\n", round, r, phase,
           mine == u1_secret(round) ? "intact" : "CHANGED", u1_generated());
}

int main(void)
{
    static char gen_stack[128 * 1024];
    jmp_buf main_env;
    volatile int tries = 0;
    int r;

    getcontext(&gen_uc);
    gen_uc.uc_stack.ss_sp = gen_stack;
    gen_uc.uc_stack.ss_size = sizeof gen_stack;
    gen_uc.uc_link = 0;
    makecontext(&gen_uc, generator, 0);

    for (int round = 1; round <= 3; round++)
        run_round(round);

    r = setjmp(main_env);
    tries++;
    if (r == 0)
        u2_dive_throw(main_env, 5, 77);
    printf("main: setjmp returned %d after %d tries\n", r, tries);
    return 0;
}
