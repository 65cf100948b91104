/*
 * libcoro_generator.c - generators on libcoro (Marc Lehmann's coroutine library, as shipped in
 * Debian's libcoro-perl source), built unmodified with -DCORO_UCONTEXT so that libcoro's
 * coro_create and coro_transfer are getcontext/makecontext/swapcontext. Used by
 * tests/ucontext_clients.rs, which fetches coro.c/coro.h with scripts/fetch-clients.sh; not a
 * program of tests/ucontext.rs.
 *
 * Covered: coro_create of an empty context for main; stacks from coro_stack_alloc (mmap-backed
 * natively, malloc-backed on WASI); a prime sieve as a chain of generator coroutines, one filter
 * coroutine per prime found (200 coroutines alive at the end, each suspended inside a transfer,
 * many nested several calls deep); two finite generators consumed alternately; and tearing
 * everything down with coro_destroy and coro_stack_free.
 */
#include <stdio.h>
#include <stdlib.h>

#include "coro.h"

#define NOINLINE __attribute__((noinline))
#define PRIMES 200

struct gen {
    coro_context ctx;
    struct coro_stack stack;
    coro_context *consumer; /* who to transfer back to with a value */
    struct gen *source;     /* for filters: where values come from */
    int param;              /* filter's prime, or a finite generator's limit */
    int value;
    int finished;
};

static coro_context main_ctx;

NOINLINE static void yield(struct gen *g, int v)
{
    g->value = v;
    coro_transfer(&g->ctx, g->consumer);
}

NOINLINE static int next(struct gen *g, coro_context *me)
{
    g->consumer = me;
    coro_transfer(me, &g->ctx);
    return g->value;
}

static void counter(void *arg)
{
    struct gen *g = arg;
    for (int n = 2;; n++)
        yield(g, n);
}

static void filter(void *arg)
{
    struct gen *g = arg;
    for (;;) {
        int v = next(g->source, &g->ctx);
        if (v % g->param != 0)
            yield(g, v);
    }
}

static void squares(void *arg)
{
    struct gen *g = arg;
    for (int i = 1; i <= g->param; i++)
        yield(g, i * i);
    g->finished = 1;
    for (;;) /* a libcoro coroutine must never return */
        yield(g, 0);
}

static void triangles(void *arg)
{
    struct gen *g = arg;
    int t = 0;
    for (int i = 1; i <= g->param; i++) {
        t += i;
        yield(g, t);
    }
    g->finished = 1;
    for (;;)
        yield(g, 0);
}

static struct gen *spawn(coro_func fn, struct gen *source, int param)
{
    struct gen *g = calloc(1, sizeof *g);
    if (!g || !coro_stack_alloc(&g->stack, 16384)) {
        puts("allocation failed");
        exit(1);
    }
    g->source = source;
    g->param = param;
    coro_create(&g->ctx, fn, g, g->stack.sptr, g->stack.ssze);
    return g;
}

static void destroy(struct gen *g)
{
    coro_destroy(&g->ctx);
    coro_stack_free(&g->stack);
    free(g);
}

int main(void)
{
    coro_create(&main_ctx, NULL, NULL, NULL, 0);

    struct gen *chain[PRIMES + 1];
    chain[0] = spawn(counter, NULL, 0);
    unsigned long sum = 0;
    for (int i = 0; i < PRIMES; i++) {
        int p = next(chain[i], &main_ctx);
        sum += (unsigned long)p;
        printf(i % 10 == 9 ? "%d\n" : "%d ", p);
        chain[i + 1] = spawn(filter, chain[i], p);
    }
    printf("%d primes, sum %lu\n", PRIMES, sum);

    struct gen *sq = spawn(squares, NULL, 12), *tr = spawn(triangles, NULL, 9);
    for (;;) {
        int a = next(sq, &main_ctx), b = next(tr, &main_ctx);
        if (sq->finished && tr->finished)
            break;
        printf("square %d%s, triangle %d%s\n", a, sq->finished ? " (done)" : "", b, tr->finished ? " (done)" : "");
    }
    destroy(sq);
    destroy(tr);
    for (int i = 0; i <= PRIMES; i++)
        destroy(chain[i]);
    puts("all destroyed");
    return 0;
}
