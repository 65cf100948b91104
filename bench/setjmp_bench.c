/*
 * setjmp_bench - cost of setjmp and of a setjmp/longjmp round trip at a given stack depth.
 *
 * Usage: setjmp_bench MODE DEPTH ITERATIONS
 *
 *   MODE        setjmp     each operation calls a function that does setjmp and returns 0
 *                          (no longjmp ever happens);
 *               roundtrip  each operation calls a function that does setjmp, then calls a
 *                          function that longjmps back to it, and returns.
 *   DEPTH       number of (non-inlined, non-tail) recursive frames between main and the loop
 *               (>= 1).
 *   ITERATIONS  number of timed operations (>= 1).
 *
 * Prints one line on stdout:
 *     MODE depth=DEPTH iterations=ITERATIONS ns_per_op=X
 * where X is the time of the loop (clock_gettime(CLOCK_MONOTONIC)) divided by ITERATIONS.
 * A short untimed warm-up (ITERATIONS/10, at most 1000) runs first. Exit status 2 on bad usage.
 *
 * Builds with asyncify-cc (WASI, asyncify-rt's setjmp) and natively with gcc/glibc (reference).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

enum mode { MODE_SETJMP, MODE_ROUNDTRIP };

/* Results are folded into this so that no call can be optimised away. */
static volatile unsigned long sink;

/* Mode setjmp: a call whose setjmp is never jumped to; returns 0. */
NOINLINE static int setjmp_only(void) {
    jmp_buf env;
    return setjmp(env);
}

/* Mode roundtrip, the far end: jumps back to the caller's setjmp. */
NOINLINE static void jump_back(jmp_buf env) {
    longjmp(env, 1);
}

/* Mode roundtrip: setjmp, longjmp back to it from a callee, return 1. */
NOINLINE static int setjmp_and_jump(void) {
    jmp_buf env;
    if (setjmp(env) == 0)
        jump_back(env); /* does not return */
    return 1;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The benchmark proper, run at the bottom of the recursion. Returns ns per operation. */
NOINLINE static double run_loop(enum mode mode, long iterations) {
    long warmup = iterations / 10, i;
    unsigned long acc = 0;
    double t0, t1;

    if (warmup > 1000)
        warmup = 1000;
    if (mode == MODE_SETJMP) {
        for (i = 0; i < warmup; i++)
            acc += (unsigned long)setjmp_only();
        t0 = now_ns();
        for (i = 0; i < iterations; i++)
            acc += (unsigned long)setjmp_only();
        t1 = now_ns();
    } else {
        for (i = 0; i < warmup; i++)
            acc += (unsigned long)setjmp_and_jump();
        t0 = now_ns();
        for (i = 0; i < iterations; i++)
            acc += (unsigned long)setjmp_and_jump();
        t1 = now_ns();
        if (acc != (unsigned long)(warmup + iterations)) {
            fprintf(stderr, "setjmp_bench: roundtrip returned a wrong count\n");
            exit(1);
        }
    }
    sink += acc;
    return (t1 - t0) / (double)iterations;
}

/*
 * Recursion to the requested depth. Each level keeps a volatile local that it reads after the
 * call, so every level has a real frame and the call is neither inlined nor a tail call.
 */
NOINLINE static double descend(int depth, enum mode mode, long iterations) {
    volatile int here = depth;
    double r;

    if (depth <= 1)
        r = run_loop(mode, iterations);
    else
        r = descend(depth - 1, mode, iterations);
    sink += (unsigned long)here;
    return r;
}

static int usage(void) {
    fprintf(stderr, "usage: setjmp_bench setjmp|roundtrip DEPTH ITERATIONS\n");
    return 2;
}

int main(int argc, char **argv) {
    enum mode mode;
    char *end;
    long depth, iterations;
    double ns;

    if (argc != 4)
        return usage();
    if (strcmp(argv[1], "setjmp") == 0)
        mode = MODE_SETJMP;
    else if (strcmp(argv[1], "roundtrip") == 0)
        mode = MODE_ROUNDTRIP;
    else
        return usage();
    depth = strtol(argv[2], &end, 10);
    if (*end != '\0' || depth < 1 || depth > 1000000)
        return usage();
    iterations = strtol(argv[3], &end, 10);
    if (*end != '\0' || iterations < 1)
        return usage();

    ns = descend((int)depth, mode, iterations);
    printf("%s depth=%ld iterations=%ld ns_per_op=%.2f\n", argv[1], depth, iterations, ns);
    return 0;
}
