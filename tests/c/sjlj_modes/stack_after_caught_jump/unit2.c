/* stack_after_caught_jump, unit 2: see shared.h. */
#include <stdlib.h>
#include <ucontext.h>
#include "shared.h"
#ifdef __wasi__
#include <asyncify_rt.h>
#endif

static ucontext_t main_uc, other_uc;
static volatile unsigned long sink;

static void other(void)
{
    for (;;)
        swapcontext(&other_uc, &main_uc);
}

void u2_init(void)
{
    static char stack[64 * 1024];
    getcontext(&other_uc);
    other_uc.uc_stack.ss_sp = stack;
    other_uc.uc_stack.ss_size = sizeof stack;
    other_uc.uc_link = 0;
    makecontext(&other_uc, other, 0);
}

#ifdef __wasi__
static void ignore(void *begin, void *end, void *user)
{
    (void)begin;
    (void)end;
    (void)user;
}
#endif

NOINLINE static void jump_from(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    if (depth > 1)
        jump_from(env, depth - 1, val);
    else
        longjmp(env, val);
    sink += (unsigned long)here; /* not reached */
}

NOINLINE void u2_then_jump(enum what what, jmp_buf env, int val)
{
    volatile char pad[40];
    pad[0] = (char)val;
    switch (what) {
    case PLAIN:
        break;
    case SCAN:
#ifdef __wasi__
        asyncify_rt_scan_registers(ignore, 0);
#endif
        break;
    case SETJMP: {
        jmp_buf mine;
        if (setjmp(mine) == 0)
            jump_from(mine, 2, 1);
        break;
    }
    case SWAP:
        swapcontext(&main_uc, &other_uc);
        break;
    default:
        abort();
    }
    jump_from(env, 3, val + pad[0] * 0);
}
