/*
 * misuse_stack_exhausted.c - setjmp with too little stack left to save the calling frames.
 *                            (Not differential; wasm only: uses <asyncify_rt.h>.)
 *
 * Linked with -Wl,-z,stack-size=65536 --asyncify-unwind=asyncify (unwinding by early return, the
 * default for a lowered program, saves no frames, so the jump then simply succeeds). The program recurses, each frame taking a little shadow
 * stack, until less than 1 KiB of the stack remains (measured with asyncify_rt_stack_bounds),
 * then calls setjmp, which (capture mode) must save hundreds of frames below the stack pointer.
 * With LLVM's setjmp lowering, setjmp saves nothing; the program then recurses to the very edge
 * of the stack and longjmps, whose unwind of the abandoned frames has no room. <setjmp.h>:
 * "if the shadow stack cannot hold the saved frames the program ends with
 * ASYNCIFY_RT_STATUS_STACK_EXHAUSTED": status 123, a one-line "asyncify-rt: " message containing
 * "stack exhausted" and the remedy "-Wl,-z,stack-size=". Expected stdout: "diving\n".
 */
#include <asyncify_rt.h>
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;
static char *stack_low;

/* Recurses until less than 64 bytes of stack are left, then longjmps from there. */
NOINLINE static int edge(int depth)
{
    volatile char pad[48];
    pad[0] = (char)depth;
    if ((char *)pad - stack_low < 64)
        longjmp(env, 1);
    return edge(depth + 1) + pad[0];
}

NOINLINE static int dive(int depth)
{
    volatile char pad[48];
    pad[0] = (char)depth;
    if ((char *)pad - stack_low < 1024) {
        if (setjmp(env) != 0) {
            puts("resumed (wrong)");
            return 0;
        }
        /* With LLVM's setjmp lowering, setjmp saves nothing and succeeds; the longjmp from the
         * edge of the stack must then unwind the frames it abandons with no room to do it. */
        return edge(depth);
    }
    return dive(depth + 1) + pad[0];
}

int main(void)
{
    void *low = 0, *high = 0;
    asyncify_rt_stack_bounds(&low, &high);
    stack_low = low;
    puts("diving");
    fflush(stdout);
    int r = dive(0);
    printf("dive returned %d (wrong)\n", r);
    return 0;
}
