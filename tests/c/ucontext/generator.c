/*
 * generator.c - a generator: a made context yields values to its consumer with swapcontext.
 *
 * POSIX makecontext/swapcontext: the producer runs on its own stack and, for each value, stores
 * it where the consumer asked (a pointer into the consumer's stack frame) and swaps back to the
 * consumer; the consumer swaps to the producer for the next value. When the producer's function
 * returns, uc_link (the consumer's saved context) is resumed: the consumer's last swapcontext
 * returns 0 and it sees the producer's "finished" flag. The consumer also reads a local of the
 * suspended producer through a pointer (a suspended context's stack memory stays in place).
 * Two generators run interleaved, then one is made again and run to completion once more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (64 * 1024)

struct gen {
    ucontext_t self;
    ucontext_t caller;
    long *slot;               /* where to put the next value (in the consumer's frame) */
    const char *producer_note; /* points into the producer's stack while it is suspended */
    int finished;
    char *stack;
};

static struct gen gens[2];

NOINLINE static void yield(struct gen *g, long v)
{
    *g->slot = v;
    if (swapcontext(&g->self, &g->caller) != 0) {
        puts("swapcontext failed");
        exit(1);
    }
}

/* Collatz sequence of start, then Fibonacci numbers below limit. */
static void producer(int which, int start, int limit)
{
    struct gen *g = &gens[which];
    char note[32];
    snprintf(note, sizeof note, "producer %d alive", which);
    g->producer_note = note;
    long n = start;
    while (n != 1) {
        yield(g, n);
        n = (n % 2) ? 3 * n + 1 : n / 2;
    }
    yield(g, 1);
    long a = 0, b = 1;
    while (a < limit) {
        yield(g, -a);
        long t = a + b;
        a = b;
        b = t;
    }
    g->producer_note = NULL;
    g->finished = 1;
    /* returning resumes uc_link = &g->caller */
}

static void make(int which, int start, int limit)
{
    struct gen *g = &gens[which];
    if (getcontext(&g->self) != 0) {
        puts("getcontext failed");
        exit(1);
    }
    g->self.uc_stack.ss_sp = g->stack;
    g->self.uc_stack.ss_size = STACK_SIZE;
    g->self.uc_link = &g->caller;
    g->finished = 0;
    makecontext(&g->self, (void (*)(void))producer, 3, which, start, limit);
}

/* Gets the next value; returns 0 when the generator has finished. */
NOINLINE static int next(int which, long *out)
{
    struct gen *g = &gens[which];
    long value = 0x7777;
    g->slot = &value;
    if (swapcontext(&g->caller, &g->self) != 0) {
        puts("swapcontext failed");
        exit(1);
    }
    if (g->finished)
        return 0;
    *out = value;
    return 1;
}

int main(void)
{
    gens[0].stack = malloc(STACK_SIZE);
    gens[1].stack = malloc(STACK_SIZE);
    make(0, 27, 100);
    make(1, 7, 1000);
    int more0 = 1, more1 = 1, count = 0;
    long sum = 0;
    while (more0 || more1) {
        long v;
        if (more0) {
            more0 = next(0, &v);
            if (more0) {
                printf("g0 %ld (%s)\n", v, gens[0].producer_note);
                sum += v;
                count++;
            } else {
                puts("g0 finished");
            }
        }
        if (more1) {
            more1 = next(1, &v);
            if (more1) {
                printf("g1 %ld (%s)\n", v, gens[1].producer_note);
                sum += v;
                count++;
            } else {
                puts("g1 finished");
            }
        }
    }
    printf("%d values, sum %ld\n", count, sum);

    /* Made again after finishing: runs from the start. */
    make(1, 3, 10);
    long v;
    while (next(1, &v))
        printf("again %ld\n", v);
    puts("again finished");
    free(gens[0].stack);
    free(gens[1].stack);
    return 0;
}
