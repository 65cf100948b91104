/*
 * nested_envs_outer.c - nested envs; longjmp to an outer env from inside an inner one.
 *
 * C11 7.13.2.1p2: longjmp may resume any env whose setjmp caller is still active, not just the
 * most recent one. Phase 1: main sets env A and calls level_b(), which sets env B and calls
 * innermost(); that jumps to B (level_b resumes), then level_b calls innermost() again and it
 * jumps straight to A, abandoning level_b's frame. Phase 2: level_b sets B again (the earlier B
 * died with its frame) and calls level_c(), which sets C; innermost() jumps to C, then from C's
 * callee a jump goes to A past both C's and B's frames. Phase 3 checks A still works after all
 * the newer saves.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env_a, env_b, env_c;
static int plan;

NOINLINE static void innermost(void)
{
    printf("innermost: plan %d\n", plan);
    switch (plan) {
    case 1: longjmp(env_b, 11);
    case 2: longjmp(env_a, 22);
    case 3: longjmp(env_c, 33);
    case 4: longjmp(env_a, 44);
    case 5: longjmp(env_a, 55);
    }
    puts("innermost: returning normally");
}

NOINLINE static void level_c(void)
{
    switch (setjmp(env_c)) {
    case 0:
        puts("level_c: env_c set");
        innermost();
        puts("level_c: unreachable 1");
        break;
    case 33:
        puts("level_c: resumed with 33");
        plan = 4;
        innermost();
        puts("level_c: unreachable 2");
        break;
    default:
        puts("level_c: unexpected");
        break;
    }
}

NOINLINE static void level_b(int phase)
{
    switch (setjmp(env_b)) {
    case 0:
        printf("level_b: env_b set in phase %d\n", phase);
        if (phase == 1) {
            plan = 1;
            innermost();
        } else {
            plan = 3;
            level_c();
        }
        puts("level_b: unreachable 1");
        break;
    case 11:
        puts("level_b: resumed with 11");
        plan = 2;
        innermost();
        puts("level_b: unreachable 2");
        break;
    default:
        puts("level_b: unexpected");
        break;
    }
}

int main(void)
{
    volatile int phase = 0;
    switch (setjmp(env_a)) {
    case 0:
        puts("main: env_a set");
        break;
    case 22:
        puts("main: resumed with 22 from two levels down");
        break;
    case 44:
        puts("main: resumed with 44 from three levels down");
        break;
    case 55:
        puts("main: resumed with 55 from one level down");
        break;
    default:
        puts("main: unexpected");
        break;
    }
    phase++;
    if (phase <= 2) {
        level_b(phase);
        puts("main: level_b returned (wrong)");
    } else if (phase == 3) {
        plan = 5;
        innermost();
        puts("main: innermost returned (wrong)");
    }
    printf("main: done after %d phases\n", phase);
    return 0;
}
