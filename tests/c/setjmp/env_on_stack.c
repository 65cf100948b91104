/*
 * env_on_stack.c - jmp_buf objects with automatic storage duration.
 *
 * C11 7.13 places no constraint on where a jmp_buf lives. Here each env is a local of the
 * function that calls setjmp, passed by pointer (jmp_buf decays to a pointer) to callees that
 * longjmp; one local struct holds two envs side by side; and a local array of envs is used by a
 * recursion where every level catches jumps from the level below it.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

struct two_envs {
    int tag;
    jmp_buf first;
    jmp_buf second;
    int tail;
};

NOINLINE static void jump_to(struct __jmp_buf_tag *e, int v)
{
    longjmp(e, v);
}

NOINLINE static int level(jmp_buf *envs, int n)
{
    volatile int caught = 0;
    if (setjmp(envs[n]) != 0) {
        caught = 1;
        return n * 10 + caught;
    }
    if (n == 0)
        jump_to(envs[0], 1); /* the deepest level jumps to itself */
    int below = level(envs, n - 1);
    if (n % 2 == 0)
        jump_to(envs[n], 1); /* even levels jump back into their own setjmp */
    return below + n;
}

int main(void)
{
    jmp_buf local;
    if (setjmp(local) == 0) {
        jump_to(local, 5);
    } else {
        puts("local env: caught");
    }

    struct two_envs s = { 111, {{0}}, {{0}}, 222 };
    volatile int steps = 0;
    if (setjmp(s.first) == 0) {
        steps++;
        if (setjmp(s.second) == 0) {
            steps++;
            jump_to(s.second, 2);
        }
        steps++;
        jump_to(s.first, 3);
    }
    printf("struct envs: steps %d, tag %d, tail %d\n", steps, s.tag, s.tail);

    jmp_buf envs[8];
    printf("recursion with env array: %d\n", level(envs, 7));
    return 0;
}
