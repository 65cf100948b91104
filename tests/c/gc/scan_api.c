/*
 * scan_api - the scanning interface of <asyncify_rt.h> itself (no collector involved).
 *
 * Usage: scan_api [MODE]
 *
 *   (no MODE)  differential part, built natively too: glibc has no asyncify_rt_scan_registers,
 *              so natively SCAN() is the native way to expose registers (getcontext into a local,
 *              then the callback with that ucontext_t's bytes). Everything printed is computed
 *              by the program and must match native:
 *                - a tight loop of 100000 scans leaves a computation across the loop, the stack
 *                  pointer and the callback count exactly as without scans;
 *                - a scan at the bottom of a 1000-frame recursion leaves every frame's locals
 *                  intact;
 *                - scans from inside a made context: the range lies in the context's stack,
 *                  the context's and main's locals survive, the switch back and forth works.
 *   wasi       WASI-only assertions (no native equivalent; expected stdout in tests/gc.rs):
 *              what the ranges contain and where they lie, emscripten_* entry points,
 *              asyncify_rt_for_each_suspended_context and asyncify_rt_context_destroyed, EINVAL.
 *   nested_scan, nested_emscripten, nested_setjmp, nested_longjmp, nested_swapcontext,
 *   nested_scan_stack
 *              misuse (WASI only): a runtime call inside a scan callback ends the program with
 *              ASYNCIFY_RT_STATUS_IN_CALLBACK (118) (see also misuse_scan_constructor.c).
 *
 * "Held only in locals": a value computed at run time from a volatile seed, kept in a local that
 * is live across the scan and never stored to memory by the program.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#ifdef __wasi__
#include <asyncify_rt.h>
#define SCAN(fn, user) asyncify_rt_scan_registers((fn), (user))
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

typedef void (*scan_fn)(void *begin, void *end, void *user);

#ifndef __wasi__
/* The native counterpart: the registers spilled by getcontext, passed like a scan range. */
NOINLINE static int native_scan(scan_fn fn, void *user) {
    ucontext_t uc;
    getcontext(&uc);
    fn(&uc, &uc + 1, user);
    return 0;
}
#define SCAN(fn, user) native_scan((fn), (user))
#endif

static volatile unsigned seed = 0x2545f491u;

/* The frame address of a fresh call from the caller: moves with the caller's stack pointer. */
NOINLINE static uintptr_t sp_probe(void) {
    return (uintptr_t)__builtin_frame_address(0);
}

static const char *yes(int b) {
    return b ? "yes" : "no";
}

/* ---- differential part ------------------------------------------------------------------ */

struct loop_stats {
    unsigned long calls;
    size_t first_size;
    int sizes_constant, well_formed;
};

static void count_cb(void *begin, void *end, void *user) {
    struct loop_stats *s = user;
    size_t size = (size_t)((char *)end - (char *)begin);
    if (s->calls == 0)
        s->first_size = size;
    else if (size != s->first_size)
        s->sizes_constant = 0;
    if ((char *)end < (char *)begin || (uintptr_t)begin % 4 != 0 || (uintptr_t)end % 4 != 0)
        s->well_formed = 0;
    s->calls++;
}

NOINLINE static unsigned mix(unsigned x, unsigned i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x + i * 0x9e3779b9u;
}

/* 100000 iterations of a computation whose state lives in locals, with a scan in each when
 * `scans`; returns the final state. */
#define LOOP 100000
NOINLINE static unsigned loop(int scans, struct loop_stats *s) {
    unsigned a = seed, b = seed ^ 0xdeadbeefu, c = 7;
    for (unsigned i = 0; i < LOOP; i++) {
        a = mix(a, i);
        if (scans)
            SCAN(count_cb, s);
        b += a ^ (b >> 3);
        c = c * 31u + (a & 0xff);
    }
    return a ^ b ^ c;
}

/* A recursion whose every frame keeps two values in locals across the call below it. */
NOINLINE static unsigned long deep(int depth, struct loop_stats *s) {
    unsigned x = mix(seed, (unsigned)depth), y = x * 3u + (unsigned)depth;
    unsigned long below;
    if (depth == 0) {
        SCAN(count_cb, s);
        below = 0;
    } else {
        below = deep(depth - 1, s);
    }
    /* Both values must still be what they were. */
    return below + (y == x * 3u + (unsigned)depth) + (x == mix(seed, (unsigned)depth));
}

#define CTX_STACK (256 * 1024)
static ucontext_t main_uc, ctx_uc;
static char *ctx_stack;

struct ctx_report {
    int in_stack, checks_ok;
    unsigned result;
    unsigned long calls;
};
static struct ctx_report ctx_report;

static void where_cb(void *begin, void *end, void *user) {
    int *in_stack = user;
    *in_stack = (char *)begin >= ctx_stack && (char *)end <= ctx_stack + CTX_STACK && begin <= end;
}

static void ctx_body(void) {
    unsigned v = mix(seed, 1), w = v ^ 0x1234u;
    struct loop_stats s = {0, 0, 1, 1};
    SCAN(where_cb, &ctx_report.in_stack);
    swapcontext(&ctx_uc, &main_uc); /* main runs, then resumes us */
    ctx_report.result = loop(1, &s);
    ctx_report.calls = s.calls;
    ctx_report.checks_ok = v == mix(seed, 1) && w == (v ^ 0x1234u) && s.sizes_constant && s.well_formed;
}

static int differential(void) {
    struct loop_stats s = {0, 0, 1, 1};
    uintptr_t sp_before = sp_probe();
    unsigned with = loop(1, &s);
    uintptr_t sp_after = sp_probe();
    unsigned without = loop(0, 0);
    printf("loop: %d iterations, result %08x, same as without scans: %s\n", LOOP, with, yes(with == without));
    printf("loop: %lu callbacks, ranges well formed: %s, all the same size: %s, stack pointer unchanged: %s\n",
           s.calls, yes(s.well_formed), yes(s.sizes_constant), yes(sp_before == sp_after));

    struct loop_stats d = {0, 0, 1, 1};
    unsigned long ok = deep(1000, &d);
    printf("deep: scan at depth 1000, %lu of 2002 frame values intact, %lu callback\n", ok, d.calls);

    unsigned mine = mix(seed, 99);
    ctx_stack = malloc(CTX_STACK);
    if (!ctx_stack)
        return 3;
    getcontext(&ctx_uc);
    ctx_uc.uc_stack.ss_sp = ctx_stack;
    ctx_uc.uc_stack.ss_size = CTX_STACK;
    ctx_uc.uc_link = &main_uc;
    makecontext(&ctx_uc, ctx_body, 0);
    swapcontext(&main_uc, &ctx_uc);
    struct loop_stats m = {0, 0, 1, 1};
    SCAN(count_cb, &m); /* main scans while the context is suspended */
    swapcontext(&main_uc, &ctx_uc);
    printf("context: scan range inside the context's stack: %s\n", yes(ctx_report.in_stack));
    printf("context: %d-iteration scan loop inside it: result %08x, same as in main: %s, %lu callbacks, its locals intact: %s\n",
           LOOP, ctx_report.result, yes(ctx_report.result == with), ctx_report.calls, yes(ctx_report.checks_ok));
    printf("context: main scanned while it was suspended (%lu callback), main's local intact: %s\n", m.calls,
           yes(mine == mix(seed, 99)));
    free(ctx_stack);
    return 0;
}

#ifdef __wasi__
/* ---- WASI-only part --------------------------------------------------------------------- */

struct find {
    unsigned want_inverted; /* the value looked for, stored inverted so this copy never matches */
    int found;
    char *begin, *end;
    int calls;
};

static int range_has(const char *begin, const char *end, unsigned value) {
    for (const char *p = begin; p + 4 <= end; p += 4)
        if (*(const unsigned *)p == value)
            return 1;
    return 0;
}

static void find_cb(void *begin, void *end, void *user) {
    struct find *f = user;
    f->begin = begin;
    f->end = end;
    f->found = range_has(begin, end, ~f->want_inverted);
    f->calls++;
}

static struct find em_find;
static void em_cb(void *begin, void *end) {
    find_cb(begin, end, &em_find);
}

static void stack_cb(void *begin, void *end, void *user) {
    struct find *f = user;
    f->begin = begin;
    f->end = end;
    f->calls++;
}

/* The size of the spilled range with `depth` extra frames between here and the scan. */
NOINLINE static size_t size_at(int depth) {
    struct find f = {0, 0, 0, 0, 0};
    size_t r;
    if (depth == 0) {
        SCAN(find_cb, &f);
        r = (size_t)(f.end - f.begin);
    } else {
        r = size_at(depth - 1);
    }
    return r + (seed == 0); /* not a tail call */
}

static unsigned ctx_magic_inverted;
static int ctx_found_own;
static void ctx_wasi_body(void) {
    unsigned magic = mix(seed, 4242);
    struct find f = {~magic, 0, 0, 0, 0};
    SCAN(find_cb, &f);
    ctx_found_own = f.found && f.begin >= ctx_stack && f.end <= ctx_stack + CTX_STACK;
    ctx_magic_inverted = ~magic; /* main looks for `magic` in our spilled frames */
    swapcontext(&ctx_uc, &main_uc);
    if (magic != mix(seed, 4242))
        printf("context's local changed\n");
    swapcontext(&ctx_uc, &main_uc);
}

struct visit {
    int n;
    int main_seen, ctx_seen, frames_inside, magic_in_frames;
    void *ctx_frames_begin, *ctx_frames_end;
};

static void visit_cb(const asyncify_rt_context_info *info, void *user) {
    struct visit *v = user;
    v->n++;
    if (info->context == NULL)
        v->main_seen++;
    if (info->context == &ctx_uc)
        v->ctx_seen++;
    v->frames_inside = (char *)info->stack_begin <= (char *)info->frames_begin &&
                       (char *)info->frames_begin <= (char *)info->frames_end &&
                       (char *)info->frames_end <= (char *)info->stack_end;
    if (info->context == &ctx_uc) {
        v->magic_in_frames = range_has(info->frames_begin, info->frames_end, ~ctx_magic_inverted);
        v->ctx_frames_begin = info->frames_begin;
        v->ctx_frames_end = info->frames_end;
    }
}

/* asyncify_rt_context_frames of ucp: "empty" (both NULL), "range" or "bad" (half set, or an error). */
static const char *frames_of(const ucontext_t *ucp, void **b, void **e) {
    *b = *e = (void *)1;
    if (asyncify_rt_context_frames(ucp, b, e) != 0)
        return "bad";
    if (*b == NULL && *e == NULL)
        return "empty";
    return *b != NULL && *b < *e ? "range" : "bad";
}

static struct visit from_ctx;
static int from_ctx_ret;
static void ctx_visit_body(void) {
    from_ctx_ret = asyncify_rt_for_each_suspended_context(visit_cb, &from_ctx);
    swapcontext(&ctx_uc, &main_uc);
}

static int wasi_only(void) {
    /* The spilled range holds a value that only a local holds. */
    unsigned magic = mix(seed, 77);
    struct find f = {~magic, 0, 0, 0, 0};
    volatile char marker = 0; /* a local in memory, above this function's stack pointer */
    int r = SCAN(find_cb, &f);
    printf("scan_registers: returns %d, one callback: %s\n", r, yes(f.calls == 1));
    printf("scan_registers: a value held only in a local is in the range: %s\n", yes(f.found));
    void *low, *high;
    asyncify_rt_stack_bounds(&low, &high);
    printf("scan_registers: range non-empty, aligned, in the running stack below the caller's frame: %s\n",
           yes(f.begin < f.end && (uintptr_t)f.begin % 4 == 0 && (uintptr_t)f.end % 4 == 0 &&
               f.begin >= (char *)low && f.end <= (const char *)&marker));
    size_t s1 = size_at(1), s1b = size_at(1), s10 = size_at(10), s100 = size_at(100);
    printf("scan_registers: same chain, same size: %s; 9 more frames add bytes: %s; 90 more add 10x as many: %s\n",
           yes(s1 == s1b), yes(s10 > s1), yes(s100 - s1 == 11 * (s10 - s1)));
    if (magic != mix(seed, 77))
        printf("local changed by the scan\n");

    /* Emscripten's entry points. */
    em_find.want_inverted = ~magic;
    emscripten_scan_registers(em_cb);
    printf("emscripten_scan_registers: one callback, value found: %s\n", yes(em_find.calls == 1 && em_find.found));
    struct find st = {0, 0, 0, 0, 0};
    volatile char arr[64];
    arr[0] = 1;
    asyncify_rt_scan_stack(stack_cb, &st);
    printf("scan_stack: one callback, from below this frame to the stack's top: %s\n",
           yes(st.calls == 1 && st.begin <= (const char *)arr && st.end == (char *)high));
    em_find.calls = 0;
    emscripten_scan_stack(em_cb);
    printf("emscripten_scan_stack: one callback, same top: %s\n", yes(em_find.calls == 1 && em_find.end == (char *)high));

    /* Nothing suspended yet. */
    struct visit none = {0};
    printf("for_each_suspended_context: nothing suspended: %d\n", asyncify_rt_for_each_suspended_context(visit_cb, &none));

    /* A made context: scans inside it, then it is suspended holding a value in a local. */
    ctx_stack = malloc(CTX_STACK);
    if (!ctx_stack)
        return 3;
    getcontext(&ctx_uc);
    ctx_uc.uc_stack.ss_sp = ctx_stack;
    ctx_uc.uc_stack.ss_size = CTX_STACK;
    ctx_uc.uc_link = &main_uc;
    makecontext(&ctx_uc, ctx_wasi_body, 0);
    void *fb, *fe;
    printf("context_frames: made, not started: %s\n", frames_of(&ctx_uc, &fb, &fe));
    swapcontext(&main_uc, &ctx_uc);
    printf("context: its scan range is in its stack and holds its local: %s\n", yes(ctx_found_own));
    struct visit v = {0};
    int n = asyncify_rt_for_each_suspended_context(visit_cb, &v);
    printf("for_each_suspended_context from main: returns %d, visits %d, the context: %s, main (running) skipped: %s\n",
           n, v.n, yes(v.ctx_seen == 1), yes(v.main_seen == 0));
    printf("for_each_suspended_context: frames inside the stack range: %s, its local is in its frames: %s\n",
           yes(v.frames_inside), yes(v.magic_in_frames));
    const char *kind = frames_of(&ctx_uc, &fb, &fe);
    printf("context_frames: suspended: %s, the range for_each_suspended_context gives: %s, its local is in it: %s\n",
           kind, yes(fb == v.ctx_frames_begin && fe == v.ctx_frames_end), yes(range_has(fb, fe, ~ctx_magic_inverted)));
    printf("context_frames: main, running (its saved chain was resumed): %s\n", frames_of(&main_uc, &fb, &fe));
    swapcontext(&main_uc, &ctx_uc); /* it checks its local and suspends again */
    printf("context_frames: suspended again: %s, its local is in it: %s\n", frames_of(&ctx_uc, &fb, &fe),
           yes(range_has(fb, fe, ~ctx_magic_inverted)));
    asyncify_rt_context_destroyed(&ctx_uc);
    printf("context_frames: destroyed: %s\n", frames_of(&ctx_uc, &fb, &fe));
    struct visit gone = {0};
    printf("after asyncify_rt_context_destroyed: visits %d\n", asyncify_rt_for_each_suspended_context(visit_cb, &gone));

    /* From inside a context, main is the suspended one. */
    getcontext(&ctx_uc);
    ctx_uc.uc_stack.ss_sp = ctx_stack;
    ctx_uc.uc_stack.ss_size = CTX_STACK;
    ctx_uc.uc_link = &main_uc;
    makecontext(&ctx_uc, ctx_visit_body, 0);
    swapcontext(&main_uc, &ctx_uc);
    printf("for_each_suspended_context from a context: returns %d, main (context NULL) visited: %s\n", from_ctx_ret,
           yes(from_ctx.main_seen == 1 && from_ctx.n == 1));
    swapcontext(&main_uc, &ctx_uc); /* it returns to main through uc_link */

    /* EINVAL. */
    errno = 0;
    r = asyncify_rt_scan_registers(NULL, 0);
    printf("scan_registers(NULL): %d %s\n", r, errno == EINVAL ? "EINVAL" : "not EINVAL");
    errno = 0;
    r = asyncify_rt_scan_stack(NULL, 0);
    printf("scan_stack(NULL): %d %s\n", r, errno == EINVAL ? "EINVAL" : "not EINVAL");
    errno = 0;
    r = asyncify_rt_for_each_suspended_context(NULL, 0);
    printf("for_each_suspended_context(NULL): %d %s\n", r, errno == EINVAL ? "EINVAL" : "not EINVAL");
    errno = 0;
    r = asyncify_rt_context_destroyed(NULL);
    printf("context_destroyed(NULL): %d %s\n", r, errno == EINVAL ? "EINVAL" : "not EINVAL");
    errno = 0;
    r = asyncify_rt_context_frames(NULL, &fb, &fe) + asyncify_rt_context_frames(&ctx_uc, NULL, &fe) +
        asyncify_rt_context_frames(&ctx_uc, &fb, NULL);
    printf("context_frames(NULL ...): %d %s\n", r, errno == EINVAL ? "EINVAL" : "not EINVAL");
    emscripten_scan_registers(NULL);
    emscripten_scan_stack(NULL);
    printf("emscripten_scan_*(NULL): ignored\n");
    free(ctx_stack);
    return 0;
}

/* ---- misuse ----------------------------------------------------------------------------- */

static jmp_buf env;
static const char *nested_what;

static void inner_cb(void *begin, void *end, void *user) {
    (void)begin, (void)end, (void)user;
}
static void em_inner_cb(void *begin, void *end) {
    (void)begin, (void)end;
}

static void nesting_cb(void *begin, void *end, void *user) {
    (void)begin, (void)end, (void)user;
    if (!strcmp(nested_what, "nested_scan"))
        asyncify_rt_scan_registers(inner_cb, 0);
    else if (!strcmp(nested_what, "nested_emscripten"))
        emscripten_scan_registers(em_inner_cb);
    else if (!strcmp(nested_what, "nested_setjmp"))
        (void)setjmp(env);
    else if (!strcmp(nested_what, "nested_longjmp"))
        longjmp(env, 1);
    else if (!strcmp(nested_what, "nested_swapcontext"))
        swapcontext(&ctx_uc, &main_uc);
    else if (!strcmp(nested_what, "nested_scan_stack"))
        asyncify_rt_scan_stack(inner_cb, 0);
    printf("callback returned\n");
}

static int misuse(const char *what) {
    nested_what = what;
    getcontext(&main_uc); /* a valid target for nested_swapcontext */
    if (setjmp(env) == 0) { /* a valid target for nested_longjmp */
        printf("scanning\n");
        asyncify_rt_scan_registers(nesting_cb, 0);
        printf("scan returned\n");
    } else {
        printf("jumped out of the callback\n");
    }
    return 0;
}
#endif /* __wasi__ */

int main(int argc, char **argv) {
    if (argc < 2)
        return differential();
#ifdef __wasi__
    if (!strcmp(argv[1], "wasi"))
        return wasi_only();
    if (!strncmp(argv[1], "nested_", 7))
        return misuse(argv[1]);
#endif
    printf("unknown mode %s\n", argv[1]);
    return 2;
}
