/*
 * ucontext_bench - cost of swapcontext, and memory taken by suspended contexts.
 *
 * Usage: ucontext_bench roundtrip DEPTH ITERATIONS
 *        ucontext_bench many COUNT
 *
 * roundtrip  main recurses to DEPTH frames, then makes a context (256 KiB malloc'd stack) whose
 *            function recurses to DEPTH frames too; the two then ping-pong with swapcontext.
 *            One operation is a round trip: main -> context -> main (two swapcontext calls).
 *            A short untimed warm-up (ITERATIONS/10, at most 1000) runs first. Prints
 *                roundtrip depth=DEPTH iterations=ITERATIONS ns_per_op=X
 *            where X is the time of the timed loop (clock_gettime(CLOCK_MONOTONIC)) divided by
 *            ITERATIONS. At the end the context is let return (uc_link = main) and the number of
 *            swaps it saw is checked.
 *
 * many       makes COUNT contexts, each with an 8 KiB malloc'd stack (ucontext_t array from
 *            calloc), and starts them one after the other: each calls one function that
 *            swapcontexts back to main, so after the first loop all COUNT are suspended at once.
 *            Then main resumes each once; each returns to main through uc_link. Checks that
 *            every context suspended and then finished, and prints one line of KEY=VALUE pairs:
 *              count, suspended, finished   the counts checked;
 *              ucontext_bytes               sizeof(ucontext_t): memory per context beyond its
 *                                           stack (plus the stack's malloc overhead);
 *              stack_bytes                  the size of each context's stack (8192);
 *              live_frame_bytes             top of the context's stack minus the frame address of
 *                                           the function that calls swapcontext to suspend: the
 *                                           shadow-stack frames of the running chain;
 *              suspended_stack_bytes        top of the stack minus the stack pointer the context
 *                                           resumes with: all of its stack in use while suspended
 *                                           (wasm: live frames + saved chain; native: live frames
 *                                           as measured above);
 *              saved_chain_bytes            (wasm) the Asyncify data of the saved frames;
 *              below_sp_bytes               (wasm) frame address minus resume stack pointer: the
 *                                           saved chain plus its 16-byte record and alignment;
 *              stack_header_bytes           (wasm) the runtime's header at the low end of the stack;
 *              memory_bytes_before/after    (wasm) linear memory size before making the first
 *                                           context and after the last was suspended;
 *              malloc_stride_bytes          distance between the first two stacks from malloc (the
 *                                           allocator's cost of one 8 KiB stack).
 *            On wasm the stack bounds come from asyncify_rt_stack_bounds() inside the context
 *            (and are checked against uc_stack); the resume stack pointer is the saved chain's
 *            base recorded in uc_mcontext.__data_base (documented in <ucontext.h>). Natively the
 *            top is uc_stack.ss_sp + ss_size and frames are not copied (glibc keeps registers in
 *            ucontext_t), so only the live frames count.
 *            If malloc/calloc fails, prints
 *                many count=COUNT failed=malloc made=K memory_bytes=M
 *            (K = contexts made and suspended before the failure) and exits with status 3.
 *
 * Exit status 2 on bad usage, 1 on a wrong result, 3 when memory runs out in `many`.
 * Builds with asyncify-cc (WASI, asyncify-rt's ucontext) and natively with gcc/glibc (reference).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#ifdef __wasm__
#include <asyncify_rt.h>
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

/* Stack of the context in mode roundtrip (depth 100 needs a few KiB on wasm: frames + saved copy). */
#define ROUNDTRIP_STACK (256 * 1024)
/* Stack of each context in mode many. */
#define MANY_STACK 8192

/* Results are folded into this so that no call can be optimised away. */
static volatile unsigned long sink;

static ucontext_t main_uc;

static void fail(const char *what) {
    fprintf(stderr, "ucontext_bench: %s\n", what);
    exit(1);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * getcontext + makecontext for *ucp: fn runs on [stack, stack + size) and returns to main_uc;
 * it gets the int argument arg, or none when arg is negative. A function of its own because on
 * asyncify-rt the chain getcontext saves stays on the caller's stack until the caller returns:
 * calling getcontext for many contexts in one loop body would stack one capture per context.
 */
NOINLINE static void make_context(ucontext_t *ucp, void *stack, size_t size, void (*fn)(void), int arg) {
    if (getcontext(ucp) != 0)
        fail("getcontext failed");
    ucp->uc_stack.ss_sp = stack;
    ucp->uc_stack.ss_size = size;
    ucp->uc_stack.ss_flags = 0;
    ucp->uc_link = &main_uc;
    if (arg < 0)
        makecontext(ucp, fn, 0);
    else
        makecontext(ucp, fn, 1, arg);
}

/* ---- roundtrip ------------------------------------------------------------------------------ */

static ucontext_t rt_uc;
static int rt_depth;
static volatile int rt_stop;
static volatile long rt_swaps;    /* times the context swapped back to main */
static volatile int rt_finished;

/* The context's end of the ping-pong, at the bottom of its recursion. */
NOINLINE static void rt_context_loop(void) {
    while (!rt_stop) {
        rt_swaps++;
        if (swapcontext(&rt_uc, &main_uc) != 0)
            fail("swapcontext (context to main) failed");
    }
}

/* The context's recursion; same shape as main's (a volatile local read after the call). */
NOINLINE static void rt_context_descend(int depth) {
    volatile int here = depth;

    if (depth <= 1)
        rt_context_loop();
    else
        rt_context_descend(depth - 1);
    sink += (unsigned long)here;
}

static void rt_context_entry(void) {
    rt_context_descend(rt_depth);
    rt_finished = 1;
}

/* Main's end, at the bottom of its recursion. Returns ns per round trip. */
NOINLINE static double rt_main_loop(long iterations) {
    long warmup = iterations / 10, i;
    double t0, t1;
    void *stack = malloc(ROUNDTRIP_STACK);

    if (warmup > 1000)
        warmup = 1000;
    if (stack == NULL)
        fail("malloc of the context stack failed");
    make_context(&rt_uc, stack, ROUNDTRIP_STACK, rt_context_entry, -1);

    /* Start it: it recurses and swaps back once. */
    if (swapcontext(&main_uc, &rt_uc) != 0)
        fail("swapcontext (start) failed");
    for (i = 0; i < warmup; i++)
        if (swapcontext(&main_uc, &rt_uc) != 0)
            fail("swapcontext (main to context) failed");
    t0 = now_ns();
    for (i = 0; i < iterations; i++)
        if (swapcontext(&main_uc, &rt_uc) != 0)
            fail("swapcontext (main to context) failed");
    t1 = now_ns();

    /* Let the context unwind its recursion and return; uc_link brings us back here. */
    rt_stop = 1;
    if (swapcontext(&main_uc, &rt_uc) != 0)
        fail("swapcontext (stop) failed");
    if (!rt_finished || rt_swaps != 1 + warmup + iterations)
        fail("roundtrip: the context saw a wrong number of swaps or did not finish");
    free(stack);
    return (t1 - t0) / (double)iterations;
}

NOINLINE static double rt_main_descend(int depth, long iterations) {
    volatile int here = depth;
    double r;

    if (depth <= 1)
        r = rt_main_loop(iterations);
    else
        r = rt_main_descend(depth - 1, iterations);
    sink += (unsigned long)here;
    return r;
}

/* ---- many ------------------------------------------------------------------------------------ */

enum { NOT_STARTED = 0, SUSPENDED = 1, FINISHED = 2 };

static ucontext_t *many_uc;
static unsigned char *many_state;

/* Measured by context 0 while it runs, just before it suspends. */
static uintptr_t m_top, m_frame, m_low;

/* Suspends context i: the one frame between its entry and swapcontext. */
NOINLINE static void many_suspend(int i) {
    if (i == 0) {
        m_frame = (uintptr_t)__builtin_frame_address(0);
#ifdef __wasm__
        {
            void *low, *high;
            asyncify_rt_stack_bounds(&low, &high);
            m_low = (uintptr_t)low;
            m_top = (uintptr_t)high;
        }
#else
        m_low = (uintptr_t)many_uc[0].uc_stack.ss_sp;
        m_top = m_low + many_uc[0].uc_stack.ss_size;
#endif
    }
    many_state[i] = SUSPENDED;
    if (swapcontext(&many_uc[i], &main_uc) != 0)
        fail("swapcontext (suspend) failed");
}

static void many_entry(int i) {
    many_suspend(i);
    if (many_state[i] != SUSPENDED)
        fail("many: a context resumed in a wrong state");
    many_state[i] = FINISHED;
}

static size_t memory_bytes(void) {
#ifdef __wasm__
    return __builtin_wasm_memory_size(0) * 65536;
#else
    return 0;
#endif
}

static int out_of_memory(long count, long made) {
    printf("many count=%ld failed=malloc made=%ld memory_bytes=%zu\n", count, made, memory_bytes());
    return 3;
}

static int run_many(long count) {
    long i, suspended = 0, finished = 0;
    size_t mem_before, mem_after;
    uintptr_t first_stack = 0, stride = 0, chain_base = 0, chain_top = 0;

    many_uc = calloc((size_t)count, sizeof(ucontext_t));
    many_state = calloc((size_t)count, 1);
    if (many_uc == NULL || many_state == NULL)
        return out_of_memory(count, 0);
    mem_before = memory_bytes();

    for (i = 0; i < count; i++) {
        void *stack = malloc(MANY_STACK);
        if (stack == NULL)
            return out_of_memory(count, i);
        if (i == 0)
            first_stack = (uintptr_t)stack;
        else if (i == 1)
            stride = (uintptr_t)stack - first_stack;
        make_context(&many_uc[i], stack, MANY_STACK, (void (*)(void))many_entry, (int)i);
        if (swapcontext(&main_uc, &many_uc[i]) != 0)
            fail("swapcontext (start) failed");
        if (many_state[i] != SUSPENDED)
            fail("many: a context did not suspend");
    }
    mem_after = memory_bytes();
    for (i = 0; i < count; i++)
        suspended += many_state[i] == SUSPENDED;
#ifdef __wasm__
    /* Context 0's saved chain, as recorded while it is suspended. */
    chain_base = many_uc[0].uc_mcontext.__data_base;
    chain_top = many_uc[0].uc_mcontext.__data_top;
#endif

    for (i = 0; i < count; i++)
        if (swapcontext(&main_uc, &many_uc[i]) != 0)
            fail("swapcontext (resume) failed");
    for (i = 0; i < count; i++)
        finished += many_state[i] == FINISHED;
    if (suspended != count || finished != count)
        fail("many: not every context suspended and finished");

    printf("many count=%ld suspended=%ld finished=%ld ucontext_bytes=%zu stack_bytes=%d",
           count, suspended, finished, sizeof(ucontext_t), MANY_STACK);
    printf(" live_frame_bytes=%lu", (unsigned long)(m_top - m_frame));
#ifdef __wasm__
    {
        uintptr_t base = chain_base, top = chain_top;
        uintptr_t stack_top = (uintptr_t)many_uc[0].uc_stack.ss_sp + MANY_STACK;

        if (m_top != stack_top)
            fail("many: asyncify_rt_stack_bounds disagrees with uc_stack");
        printf(" suspended_stack_bytes=%lu saved_chain_bytes=%lu below_sp_bytes=%lu"
               " stack_header_bytes=%lu memory_bytes_before=%zu memory_bytes_after=%zu",
               (unsigned long)(m_top - (base & ~(uintptr_t)15)), (unsigned long)(top - base),
               (unsigned long)(m_frame - base),
               (unsigned long)(m_low - (uintptr_t)many_uc[0].uc_stack.ss_sp), mem_before,
               mem_after);
    }
#else
    printf(" suspended_stack_bytes=%lu", (unsigned long)(m_top - m_frame));
    (void)chain_base;
    (void)chain_top;
    (void)mem_before;
    (void)mem_after;
#endif
    printf(" malloc_stride_bytes=%lu\n", (unsigned long)stride);
    return 0;
}

/* ---- main ------------------------------------------------------------------------------------ */

static int usage(void) {
    fprintf(stderr, "usage: ucontext_bench roundtrip DEPTH ITERATIONS | many COUNT\n");
    return 2;
}

int main(int argc, char **argv) {
    char *end;

    if (argc == 4 && strcmp(argv[1], "roundtrip") == 0) {
        long depth = strtol(argv[2], &end, 10), iterations;
        double ns;

        if (*end != '\0' || depth < 1 || depth > 100000)
            return usage();
        iterations = strtol(argv[3], &end, 10);
        if (*end != '\0' || iterations < 1)
            return usage();
        rt_depth = (int)depth;
        ns = rt_main_descend((int)depth, iterations);
        printf("roundtrip depth=%ld iterations=%ld ns_per_op=%.2f\n", depth, iterations, ns);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "many") == 0) {
        long count = strtol(argv[2], &end, 10);

        if (*end != '\0' || count < 2 || count > 100000000)
            return usage();
        return run_many(count);
    }
    return usage();
}
