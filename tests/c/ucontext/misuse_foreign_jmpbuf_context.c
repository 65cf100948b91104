/*
 * misuse_foreign_jmpbuf_context.c - main longjmps to a jmp_buf set in a made context that is
 *                                   suspended. (Not differential; wasm only.)
 *
 * <setjmp.h>: longjmp to an env "set in another context" -> ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF.
 * The context's setjmp caller is still active (suspended in swapcontext). Expected stdout:
 * "context set env\nmain jumps\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <ucontext.h>

static ucontext_t main_uc, uc;
static char stack[64 * 1024];
static jmp_buf ctx_env;

static void f(void)
{
    if (setjmp(ctx_env) != 0) {
        puts("longjmp landed in the context (wrong)");
        return;
    }
    puts("context set env");
    swapcontext(&uc, &main_uc);
    puts("context resumed (wrong)");
}

int main(void)
{
    getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = &main_uc;
    makecontext(&uc, f, 0);
    swapcontext(&main_uc, &uc);
    puts("main jumps");
    fflush(stdout);
    longjmp(ctx_env, 1);
}
