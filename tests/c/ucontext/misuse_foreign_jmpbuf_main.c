/*
 * misuse_foreign_jmpbuf_main.c - a made context longjmps to a jmp_buf that main set.
 *                                (Not differential; wasm only.)
 *
 * <setjmp.h>: longjmp to an env "set in another context" -> ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF.
 * main's setjmp caller is still active (suspended in swapcontext), so the env is neither
 * dead nor never set: only the context differs. Expected stdout: "main set env\nin context\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <ucontext.h>

static ucontext_t main_uc, uc;
static char stack[64 * 1024];
static jmp_buf main_env;

static void f(void)
{
    puts("in context");
    fflush(stdout);
    longjmp(main_env, 1);
}

int main(void)
{
    if (setjmp(main_env) != 0) {
        puts("longjmp landed in main (wrong)");
        return 0;
    }
    puts("main set env");
    getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = &main_uc;
    makecontext(&uc, f, 0);
    swapcontext(&main_uc, &uc);
    puts("context returned (wrong)");
    return 0;
}
