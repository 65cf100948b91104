/*
 * uc_link_null_exit.c - a made context whose function returns with uc_link == NULL ends the
 * process with status 0.
 *
 * POSIX makecontext: "If the uc_link member is a null pointer, the thread exits" (here, and in
 * glibc, the process exits with 0); <ucontext.h>: "the process exits with status 0 after flushing
 * stdio (atexit handlers run)". Output is left in stdio buffers (a partial line, a fully buffered
 * stream) to check it is flushed; an atexit handler prints last. main's return value (3) must not
 * be reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define STACK_SIZE (64 * 1024)

static ucontext_t main_uc, uc;
static char stack[STACK_SIZE];

static void at_exit_handler(void)
{
    printf("atexit handler ran\n");
}

static void last_words(int n)
{
    for (int i = 0; i < n; i++)
        printf("line %d from the context\n", i);
    printf("partial line without newline, n=%d", n);
    /* returns: uc_link is NULL */
}

int main(void)
{
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf); /* nothing is written until flushed */
    atexit(at_exit_handler);
    puts("main: making the context");
    getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = NULL;
    makecontext(&uc, (void (*)(void))last_words, 1, 3);
    swapcontext(&main_uc, &uc);
    puts("main: resumed (wrong)");
    return 3;
}
