/*
 * setjmp_in_context.c - setjmp/longjmp inside made contexts.
 *
 * C11 7.13 within POSIX contexts: a jmp_buf set in a context may be jumped to from the same
 * context while its setjmp caller is active, also after the context was suspended and resumed
 * (a swapcontext round trip between the setjmp and the longjmp). Covered: a longjmp from a
 * deeper call in the same context; a longjmp after the context swapped out to main and main
 * swapped back in; two contexts each with their own jmp_buf, interleaved; a try/catch loop of
 * 1,000 throws inside a context; and main's own setjmp/longjmp still working after the contexts
 * ran. The exit status (5) comes from main.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (64 * 1024)

static ucontext_t main_uc, a_uc, b_uc;
static jmp_buf a_env, b_env, main_env;
static volatile int throws;

NOINLINE static void thrower(jmp_buf env, int depth, int val)
{
    if (depth > 0)
        thrower(env, depth - 1, val);
    longjmp(env, val);
}

NOINLINE static void swap_then_throw(ucontext_t *self, jmp_buf env, int val)
{
    volatile int local = val * 10;
    if (swapcontext(self, &main_uc) != 0)
        exit(2);
    printf("  resumed, local %d, throwing %d\n", local, val);
    thrower(env, 3, val);
}

static void ctx_fn(int which)
{
    ucontext_t *self = which ? &b_uc : &a_uc;
    jmp_buf *env = which ? &b_env : &a_env;
    volatile int step = 0;
    int r = setjmp(*env);
    printf("ctx %d: setjmp returned %d at step %d\n", which, r, step);
    step++;
    if (step == 1)
        thrower(*env, 5, 10 + which);
    if (step == 2)
        swap_then_throw(self, *env, 20 + which);
    if (step == 3) {
        /* Many throws inside the context. */
        volatile int i;
        for (i = 0; i < 1000; i++) {
            if (setjmp(*env) == 0)
                thrower(*env, i % 7, i + 1);
            else
                throws++;
        }
        printf("ctx %d: %d throws caught\n", which, throws);
    }
    printf("ctx %d: done\n", which);
}

int main(void)
{
    char *sa = malloc(STACK_SIZE), *sb = malloc(STACK_SIZE);
    getcontext(&a_uc);
    a_uc.uc_stack.ss_sp = sa;
    a_uc.uc_stack.ss_size = STACK_SIZE;
    a_uc.uc_link = &main_uc;
    makecontext(&a_uc, (void (*)(void))ctx_fn, 1, 0);
    getcontext(&b_uc);
    b_uc.uc_stack.ss_sp = sb;
    b_uc.uc_stack.ss_size = STACK_SIZE;
    b_uc.uc_link = &main_uc;
    makecontext(&b_uc, (void (*)(void))ctx_fn, 1, 1);

    puts("main: to a");
    swapcontext(&main_uc, &a_uc); /* a suspends in swap_then_throw */
    puts("main: to b");
    swapcontext(&main_uc, &b_uc); /* b suspends in swap_then_throw */
    puts("main: back to a");
    swapcontext(&main_uc, &a_uc); /* a throws, finishes */
    puts("main: back to b");
    throws = 0;
    swapcontext(&main_uc, &b_uc); /* b throws, finishes */
    puts("main: contexts finished");

    volatile int k = 0;
    if (setjmp(main_env) < 3) {
        k++;
        thrower(main_env, 2, k);
    }
    printf("main: k %d\n", k);
    free(sa);
    free(sb);
    return 5;
}
