/* misuse_dead_env, unit 2: the jump, `depth` frames down, below where the dead setjmp caller's
 * frame was (so with unit1 lowered the jump is not refused up front as coming from above that
 * frame, but unwinds up to the root, which reports it). See unit1.c. */
#include <setjmp.h>
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) void u2_jump_deep(jmp_buf env, int depth)
{
    volatile char here[256]; /* frames big enough to be below the dead frame's stack slots */
    here[0] = (char)depth;
    if (depth > 1) {
        u2_jump_deep(env, depth - 1);
    } else {
        puts("jumping to the dead env");
        fflush(stdout);
        longjmp(env, 1);
    }
    sink += here[0];
}
