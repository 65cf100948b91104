/*
 * misuse_dead_getcontext.c - setcontext to a context saved by getcontext in a function that has
 *                            returned, after its stack was reused. (Not differential; wasm only.)
 *
 * <ucontext.h>: getcontext's "saved frames live below the caller's stack pointer until the caller
 * returns"; setcontext to a context "whose saved frames were overwritten" ends the program with
 * ASYNCIFY_RT_STATUS_BAD_CONTEXT and a message on stderr. After the function that called
 * getcontext returns, main calls another function that fills 16 KiB of stack with a pattern,
 * overwriting where the saved frames were. Expected stdout: "saved\nscribbled\n".
 */
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))

static ucontext_t uc;
static volatile int resumed;

NOINLINE static void saver(void)
{
    volatile int local = 1;
    getcontext(&uc);
    if (resumed) {
        printf("resumed a returned function (wrong), local %d\n", local);
        return;
    }
}

NOINLINE static void scribbler(void)
{
    volatile char big[16384];
    memset((char *)big, 0x5c, sizeof big);
    big[100] = 1;
}

int main(void)
{
    saver();
    puts("saved");
    scribbler();
    puts("scribbled");
    fflush(stdout);
    resumed = 1;
    setcontext(&uc);
    puts("setcontext returned (wrong)");
    return 0;
}
