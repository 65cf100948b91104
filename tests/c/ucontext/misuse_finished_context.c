/*
 * misuse_finished_context.c - swapcontext to a made context whose function has returned (and
 *                             whose uc_link resumed main). (Not differential; wasm only.)
 *
 * <ucontext.h>: setcontext/swapcontext to a context "whose function has returned ... ends the
 * program with ASYNCIFY_RT_STATUS_BAD_CONTEXT and a message on stderr". The context's
 * ucontext_t is left exactly as the finished run left it. Expected stdout:
 * "in f\nback in main\n".
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

static ucontext_t main_uc, uc;
static char stack[64 * 1024];

static void f(void)
{
    puts("in f");
}

int main(void)
{
    getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = &main_uc;
    makecontext(&uc, f, 0);
    swapcontext(&main_uc, &uc);
    puts("back in main");
    fflush(stdout);
    int r = swapcontext(&main_uc, &uc);
    printf("second swapcontext returned %d (wrong)\n", r);
    return 0;
}
