/*
 * setjmp_bench - cost of setjmp and of a setjmp/longjmp round trip at a given stack depth.
 *
 * Usage: setjmp_bench MODE DEPTH ITERATIONS
 *
 *   MODE        setjmp     each operation calls a function that does setjmp, makes one call
 *                          (to a function that only increments a counter) and returns 0 (no
 *                          longjmp ever happens);
 *               roundtrip  each operation calls a function that does setjmp, then calls a
 *                          function that longjmps back to it, and returns;
 *               abandon    each operation calls a function that does setjmp, then calls a chain
 *                          of DEPTH frames whose last longjmps back to it: the cost of a longjmp
 *                          by the number of frames it abandons (the setjmp is 1 frame below
 *                          main; `abandon 1` is `roundtrip` at depth 1).
 *   DEPTH       setjmp, roundtrip: number of (non-inlined, non-tail) recursive frames between
 *               main and the loop (>= 1); abandon: the frames the longjmp abandons (>= 1).
 *   ITERATIONS  number of timed operations (>= 1).
 *
 * Prints one line on stdout:
 *     MODE depth=DEPTH iterations=ITERATIONS ns_per_op=X
 * where X is the time of the loop (clock_gettime(CLOCK_MONOTONIC)) divided by ITERATIONS.
 * A short untimed warm-up (ITERATIONS/10, at most 1000) runs first. Exit status 2 on bad usage.
 *
 * Builds with asyncify-cc (WASI, asyncify-rt's setjmp) in either setjmp strategy
 * (--asyncify-sjlj=capture|lowered) and natively with gcc/glibc (reference). The call after the
 * setjmp in mode setjmp matters for LLVM's lowering (the lowered strategy), which drops a setjmp
 * after which the function calls nothing (nothing could jump back to it).
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

enum mode { MODE_SETJMP, MODE_ROUNDTRIP, MODE_ABANDON };

/* Results are folded into this so that no call can be optimised away. */
static volatile unsigned long sink;

/* The call after the setjmp in mode setjmp. */
NOINLINE static void count_one(void) {
    sink++;
}

/* Mode setjmp: a call whose setjmp is never jumped to; returns 0. */
NOINLINE static int setjmp_only(void) {
    jmp_buf env;
    int r = setjmp(env);
    count_one();
    return r;
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

#if defined(__GNUC__) && !defined(__clang__)
/* GCC 12 takes a recursion whose every path ends in a longjmp for an infinite one. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
#endif

/* Mode abandon: `frames` frames down, the last one jumps back. */
NOINLINE static void dive_and_jump(jmp_buf env, int frames) {
    volatile int here = frames;
    if (frames > 1)
        dive_and_jump(env, frames - 1);
    else
        longjmp(env, 1);
    sink += (unsigned long)here; /* not reached */
}

/* Mode abandon: setjmp, longjmp back to it from `frames` frames down, return 1. */
NOINLINE static int setjmp_and_dive(int frames) {
    jmp_buf env;
    if (setjmp(env) == 0)
        dive_and_jump(env, frames); /* does not return */
    return 1;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The benchmark proper, run at the bottom of the recursion (mode abandon: right below main,
 * with `frames` the frames each longjmp abandons). Returns ns per operation. */
NOINLINE static double run_loop(enum mode mode, long iterations, int frames) {
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
            acc += (unsigned long)(mode == MODE_ROUNDTRIP ? setjmp_and_jump() : setjmp_and_dive(frames));
        t0 = now_ns();
        if (mode == MODE_ROUNDTRIP) {
            for (i = 0; i < iterations; i++)
                acc += (unsigned long)setjmp_and_jump();
        } else {
            for (i = 0; i < iterations; i++)
                acc += (unsigned long)setjmp_and_dive(frames);
        }
        t1 = now_ns();
        if (acc != (unsigned long)(warmup + iterations)) {
            fprintf(stderr, "setjmp_bench: %s returned a wrong count\n", mode == MODE_ROUNDTRIP ? "roundtrip" : "abandon");
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
        r = run_loop(mode, iterations, 0);
    else
        r = descend(depth - 1, mode, iterations);
    sink += (unsigned long)here;
    return r;
}

static int usage(void) {
    fprintf(stderr, "usage: setjmp_bench setjmp|roundtrip|abandon DEPTH ITERATIONS\n");
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
    else if (strcmp(argv[1], "abandon") == 0)
        mode = MODE_ABANDON;
    else
        return usage();
    depth = strtol(argv[2], &end, 10);
    if (*end != '\0' || depth < 1 || depth > 1000000)
        return usage();
    iterations = strtol(argv[3], &end, 10);
    if (*end != '\0' || iterations < 1)
        return usage();

    if (mode == MODE_ABANDON)
        ns = run_loop(mode, iterations, (int)depth);
    else
        ns = descend((int)depth, mode, iterations);
    printf("%s depth=%ld iterations=%ld ns_per_op=%.2f\n", argv[1], depth, iterations, ns);
    return 0;
}
