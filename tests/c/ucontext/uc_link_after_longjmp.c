/*
 * uc_link_after_longjmp.c - regression (issue 13, defect 2): when a made context returned and its
 * uc_link was resumed, the swapcontext that saved the link returned the value of the last
 * capture-mode longjmp instead of 0. Expected: "swapcontext returned 0", exit 0.
 */
/* capture mode: swapcontext resumed through uc_link returns the last longjmp value, not 0 */
#include <setjmp.h>
#include <stdio.h>
#include <ucontext.h>

static ucontext_t main_uc, co_uc;
static char stack[65536];

static void co(void) {
    jmp_buf env;
    if (setjmp(env) == 0)
        longjmp(env, 42);      /* any caught longjmp inside the context */
}                              /* returns: uc_link (main_uc) is resumed */

int main(void) {
    getcontext(&co_uc);
    co_uc.uc_stack.ss_sp = stack;
    co_uc.uc_stack.ss_size = sizeof stack;
    co_uc.uc_link = &main_uc;
    makecontext(&co_uc, co, 0);
    int r = swapcontext(&main_uc, &co_uc);
    printf("swapcontext returned %d\n", r);   /* POSIX/glibc: 0 */
    return r != 0;
}
