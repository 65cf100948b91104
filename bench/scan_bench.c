/*
 * scan_bench - cost of one register scan (asyncify_rt_scan_registers) at a given call depth.
 *
 * Usage: scan_bench DEPTH ITERATIONS
 *
 *   DEPTH       number of (non-inlined, non-tail) recursive frames between main and the loop
 *               (>= 1); each keeps two values in locals across its call.
 *   ITERATIONS  number of timed scans (>= 1).
 *
 * Prints one line on stdout:
 *     scan depth=DEPTH iterations=ITERATIONS ns_per_op=X bytes=B
 * where X is the time of the loop (clock_gettime(CLOCK_MONOTONIC)) divided by ITERATIONS and B
 * the size of the range the callback got (the same at every iteration, else exit 1). The
 * callback only records the range: the figure is the runtime's cost (spill to memory, callback
 * call, rewind), not a collector's marking. A short untimed warm-up (ITERATIONS/10, at most 1000)
 * runs first. Exit status 2 on bad usage.
 *
 * Builds with asyncify-cc (WASI: an Asyncify unwind and rewind of the whole call chain) and
 * natively with gcc/glibc, where the nearest equivalent is what a native conservative collector
 * does to see registers: getcontext into a local, then the callback with its bytes (O(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef __wasi__
#include <asyncify_rt.h>
#define SCAN(fn, user) asyncify_rt_scan_registers((fn), (user))
#else
#include <ucontext.h>
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

typedef void (*scan_fn)(void *begin, void *end, void *user);

#ifndef __wasi__
NOINLINE static int native_scan(scan_fn fn, void *user) {
    ucontext_t uc;
    getcontext(&uc);
    fn(&uc, &uc + 1, user);
    return 0;
}
#define SCAN(fn, user) native_scan((fn), (user))
#endif

struct sizes {
    unsigned long first, changed;
};

static void record(void *begin, void *end, void *user) {
    struct sizes *s = user;
    unsigned long size = (unsigned long)((char *)end - (char *)begin);
    if (s->first == 0)
        s->first = size;
    else if (size != s->first)
        s->changed = 1;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile unsigned sink;

/* The benchmark proper, at the bottom of the recursion. Returns ns per scan. */
NOINLINE static double run_loop(long iterations, struct sizes *s) {
    long warmup = iterations / 10, i;
    double t0, t1;
    if (warmup > 1000)
        warmup = 1000;
    for (i = 0; i < warmup; i++)
        SCAN(record, s);
    t0 = now_ns();
    for (i = 0; i < iterations; i++)
        SCAN(record, s);
    t1 = now_ns();
    return (t1 - t0) / (double)iterations;
}

/* DEPTH frames, each with two values live across the call below it. */
NOINLINE static double descend(int depth, long iterations, struct sizes *s) {
    unsigned a = sink + (unsigned)depth, b = a * 2654435761u;
    double r = depth <= 1 ? run_loop(iterations, s) : descend(depth - 1, iterations, s);
    sink = a ^ b;
    return r;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: scan_bench DEPTH ITERATIONS\n");
        return 2;
    }
    int depth = atoi(argv[1]);
    long iterations = atol(argv[2]);
    if (depth < 1 || iterations < 1) {
        fprintf(stderr, "scan_bench: DEPTH and ITERATIONS must be >= 1\n");
        return 2;
    }
    struct sizes s = {0, 0};
    double ns = descend(depth, iterations, &s);
    if (s.changed) {
        fprintf(stderr, "scan_bench: the scanned range changed size between scans\n");
        return 1;
    }
    printf("scan depth=%d iterations=%ld ns_per_op=%.2f bytes=%lu\n", depth, iterations, ns, s.first);
    return 0;
}
