/*
 * moved_context.c - a saved ucontext_t copied by value, or moved by realloc, is resumed from
 * its new address.
 *
 * POSIX says nothing against copying a ucontext_t, and glibc's is plain data, so programs keep
 * contexts in arrays they grow with realloc and pass them by value. Covered: a suspended made
 * context copied by struct assignment and resumed from the copy (several times, each time saved
 * again into the copy); 64 suspended contexts kept in an array that is realloc'd to a much
 * larger size (and so moved) while they are suspended, then all resumed to completion; and a
 * getcontext copied into a local and resumed with setcontext from the copy. When a moved task's
 * function returns, its uc_link (main) must be resumed: POSIX has uc_link set "prior to the call
 * to makecontext()", and glibc keeps the value makecontext saw, not the old storage's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define STACK_SIZE (32 * 1024)
#define N 64

static ucontext_t main_uc, uc, copy;
static char stack[STACK_SIZE];
static ucontext_t *tasks; /* moved by realloc */
static int current, done_count;
static long total;

static void counter(void)
{
    for (int i = 0; i < 4; i++) {
        printf("counter %d\n", i);
        swapcontext(&copy, &main_uc);
    }
}

static void task(int id)
{
    long acc = id;
    for (int r = 0; r < 3; r++) {
        acc = acc * 7 + r;
        swapcontext(&tasks[current], &main_uc); /* re-read: tasks may have moved */
    }
    total += acc;
    done_count++;
}

int main(void)
{
    getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = &main_uc;
    makecontext(&uc, counter, 0);
    swapcontext(&main_uc, &uc);
    /* counter is suspended in `copy`; resume it from a fresh copy of that each time */
    for (int i = 0; i < 3; i++) {
        ucontext_t again = copy;
        swapcontext(&main_uc, &again);
    }
    puts("counter copies done");

    tasks = malloc(N * sizeof *tasks);
    char **stacks = malloc(N * sizeof *stacks);
    for (int i = 0; i < N; i++) {
        stacks[i] = malloc(STACK_SIZE);
        getcontext(&tasks[i]);
        tasks[i].uc_stack.ss_sp = stacks[i];
        tasks[i].uc_stack.ss_size = STACK_SIZE;
        tasks[i].uc_link = &main_uc;
        makecontext(&tasks[i], (void (*)(void))task, 1, i);
    }
    for (int round = 0; done_count < N; round++) {
        for (current = 0; current < N; current++)
            swapcontext(&main_uc, &tasks[current]);
        if (round == 0) {
            ucontext_t *old = tasks;
            void *blocker = malloc(1 << 16); /* makes an in-place growth unlikely */
            tasks = realloc(tasks, 64 * N * sizeof *tasks);
            printf("after realloc: tasks %s\n", tasks ? "ok" : "null");
            (void)old;
            free(blocker);
        }
    }
    printf("tasks done %d, total %ld\n", done_count, total);

    volatile int resumed = 0;
    ucontext_t g;
    getcontext(&g);
    if (!resumed) {
        resumed = 1;
        ucontext_t g2;
        memcpy(&g2, &g, sizeof g);
        setcontext(&g2);
        puts("setcontext returned (wrong)");
    }
    puts("getcontext resumed from a copy");
    for (int i = 0; i < N; i++)
        free(stacks[i]);
    free(stacks);
    free(tasks);
    return 0;
}
