/*
 * misuse_stale_swap.c - resuming a context saved by swapcontext after its stack has run again
 *                       through another context saved on the same stack. (Not differential:
 *                       glibc would resume frames that may have been overwritten; wasm only.)
 *
 * <ucontext.h>: a chain saved by swapcontext resumes once, "while nothing else has run on its
 * stack"; resuming it later ends the program with ASYNCIFY_RT_STATUS_BAD_CONTEXT and one stderr
 * line. The made context saves `again` with getcontext in its function, then suspends from a
 * deeper helper into `deep`. Main resumes `again` (the context's stack runs again, from the
 * getcontext), which writes over the stack where the helper's frames were and suspends into
 * `second`; then main resumes `deep`. Expected stdout: "deep saved\nran again\n".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))

static ucontext_t main_uc, ctx_uc, again, deep, second;
static volatile int passes;

NOINLINE static void helper(void)
{
    volatile char pad[256];
    memset((char *)pad, 1, sizeof pad);
    swapcontext(&deep, &main_uc);
    puts("deep resumed (wrong)");
}

NOINLINE static void scribble(void)
{
    volatile char pad[2048];
    memset((char *)pad, 0x5c, sizeof pad);
}

static void body(void)
{
    getcontext(&again);
    if (passes++ == 0) {
        helper();
        return;
    }
    scribble();
    swapcontext(&second, &main_uc);
}

int main(void)
{
    static char stack[65536];
    getcontext(&ctx_uc);
    ctx_uc.uc_stack.ss_sp = stack;
    ctx_uc.uc_stack.ss_size = sizeof stack;
    ctx_uc.uc_link = &main_uc;
    makecontext(&ctx_uc, body, 0);
    swapcontext(&main_uc, &ctx_uc);
    puts("deep saved");
    swapcontext(&main_uc, &again);
    puts("ran again");
    fflush(stdout);
    swapcontext(&main_uc, &deep);
    puts("swapcontext returned (wrong)");
    return 0;
}
