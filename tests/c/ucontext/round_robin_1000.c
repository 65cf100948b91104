/*
 * round_robin_1000.c - a round-robin scheduler over 1,000 contexts, each on its own 16 KiB
 * malloc'd stack, whose stack-resident data must survive the interleaving.
 *
 * POSIX makecontext/swapcontext. Each task fills a local char array (on its own stack) with a
 * pattern derived from its id and, after every resume, checks the whole array and a few scalar
 * locals before updating them; it runs a task-specific number of rounds (1 to 7) so tasks finish
 * at different times, then returns, and uc_link resumes the scheduler. The scheduler counts
 * switches, corruptions (must be 0) and prints a checksum of what the tasks computed. Yields
 * happen at two call depths (directly and from a nested helper) to vary the saved chains.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define TASKS 1000
#define STACK_SIZE (16 * 1024)
#define BUF 256

static ucontext_t sched;
static ucontext_t task_ctx[TASKS];
static char *stacks[TASKS];
static int finished[TASKS];
static int current;
static long switches, corruptions;
static uint32_t results[TASKS];

static unsigned char pattern(int id, int i, int round)
{
    return (unsigned char)(id * 7 + i * 13 + round * 31);
}

NOINLINE static void yield(void)
{
    switches++;
    if (swapcontext(&task_ctx[current], &sched) != 0) {
        puts("swapcontext failed");
        exit(1);
    }
}

NOINLINE static void yield_nested(int depth)
{
    volatile int here = depth;
    if (depth > 0)
        yield_nested(depth - 1);
    else
        yield();
    if (here != depth)
        corruptions++;
}

static void task(int id, int rounds)
{
    char buf[BUF];
    uint32_t acc = (uint32_t)id;
    int round;
    for (int i = 0; i < BUF; i++)
        buf[i] = (char)pattern(id, i, 0);
    for (round = 0; round < rounds; round++) {
        if ((id + round) % 3 == 0)
            yield_nested(id % 4);
        else
            yield();
        if (current != id)
            corruptions++;
        for (int i = 0; i < BUF; i++) {
            if ((unsigned char)buf[i] != pattern(id, i, round)) {
                corruptions++;
                break;
            }
        }
        for (int i = 0; i < BUF; i++) {
            acc = acc * 131 + (unsigned char)buf[i];
            buf[i] = (char)pattern(id, i, round + 1);
        }
    }
    results[id] = acc;
    finished[id] = 1;
}

int main(void)
{
    for (int i = 0; i < TASKS; i++) {
        stacks[i] = malloc(STACK_SIZE);
        if (!stacks[i]) {
            puts("out of memory");
            return 1;
        }
        if (getcontext(&task_ctx[i]) != 0) {
            puts("getcontext failed");
            return 1;
        }
        task_ctx[i].uc_stack.ss_sp = stacks[i];
        task_ctx[i].uc_stack.ss_size = STACK_SIZE;
        task_ctx[i].uc_link = &sched;
        makecontext(&task_ctx[i], (void (*)(void))task, 2, i, 1 + (i * 37) % 7);
    }
    int alive = TASKS, passes = 0;
    while (alive > 0) {
        passes++;
        int ran = 0;
        for (int i = 0; i < TASKS; i++) {
            if (finished[i])
                continue;
            current = i;
            ran++;
            if (swapcontext(&sched, &task_ctx[i]) != 0) {
                puts("swapcontext failed");
                return 1;
            }
            if (finished[i])
                alive--;
        }
        printf("pass %d: ran %d, alive %d\n", passes, ran, alive);
    }
    uint32_t sum = 0;
    for (int i = 0; i < TASKS; i++)
        sum = sum * 1000003u + results[i];
    printf("switches %ld, corruptions %ld, checksum %u\n", switches, corruptions, (unsigned)sum);
    for (int i = 0; i < TASKS; i++)
        free(stacks[i]);
    return corruptions != 0;
}
