/*
 * exit_from_context.c - exit() called deep inside a made context ends the process with its
 * status, flushing stdio and running atexit handlers.
 *
 * C11 7.22.4.4 exit: atexit functions run, open streams are flushed, the status is returned to
 * the host. Here main starts the context with setcontext (main's own activation is abandoned and
 * never resumed), the context swaps to a second context once and back, then exits with status 7
 * from 50 frames deep, leaving a partial line in stdout's buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (64 * 1024)

static ucontext_t a_uc, b_uc;
static char stack_a[STACK_SIZE], stack_b[STACK_SIZE];

static void bye(void)
{
    printf("atexit: bye\n");
}

NOINLINE static int dive(int n)
{
    if (n == 0) {
        printf("exiting from the bottom");
        exit(7);
    }
    return dive(n - 1) + n;
}

static void fb(void)
{
    puts("b: hello, back to a");
    swapcontext(&b_uc, &a_uc);
    puts("b: resumed (wrong)");
}

static void fa(void)
{
    puts("a: started, swapping to b");
    swapcontext(&a_uc, &b_uc);
    puts("a: back from b, diving");
    printf("dive returned %d (wrong)\n", dive(50));
}

int main(void)
{
    atexit(bye);
    getcontext(&b_uc);
    b_uc.uc_stack.ss_sp = stack_b;
    b_uc.uc_stack.ss_size = STACK_SIZE;
    b_uc.uc_link = NULL;
    makecontext(&b_uc, fb, 0);
    getcontext(&a_uc);
    a_uc.uc_stack.ss_sp = stack_a;
    a_uc.uc_stack.ss_size = STACK_SIZE;
    a_uc.uc_link = NULL;
    makecontext(&a_uc, fa, 0);
    puts("main: setcontext to a");
    setcontext(&a_uc);
    puts("main: setcontext returned (wrong)");
    return 1;
}
