/*
 * locals_only - Boehm GC (bdwgc) keeps objects that only locals point to, and frees the rest.
 *
 * Built twice from the same bdwgc sources (extra/gc.c) by tests/gc.rs:
 *   native: gcc + glibc; bdwgc finds pointers in registers and on the stack by itself;
 *   WASI:   asyncify-cc, plus examples/gc/asyncify_gc_roots.c, whose hook makes wasm locals and
 *           suspended contexts' spilled frames visible to bdwgc.
 * The two must print the same. (tests/gc.rs also builds the WASI side at -O2 without the hook and
 * checks that it then loses objects in all three parts: the pointers below really are only in
 * wasm locals. At -O0 clang keeps locals in linear memory, so there only part 3 would lose.)
 *
 * Every object gets a finalizer that counts it by kind (bdwgc finalizes an object when it finds
 * it unreachable). Three kinds of holders, each followed by a forced collection:
 *   1. main-side local: a chain of nodes whose head is only in a local of the running function;
 *   2. frames: 40 recursive frames, each holding its own chain in a local, collected at the
 *      bottom, checked on the way back up;
 *   3. suspended context: a made context takes a chain from main (which keeps no pointer to
 *      it), keeps its head in a local and swapcontexts back to main, which collects; then the
 *      context resumes and checks its chain.
 * Each collection is two forced collections (an unreachable object with a finalizer is finalized
 * by one and freed by the next) followed by fresh allocations that would take a freed node's
 * place. Printed exactly: how many nodes of each chain are intact (id and payload) and how many
 * of its objects were finalized while live (0). Garbage (objects dropped right after allocation)
 * is printed only as "at least 90% finalized": a conservative collector may keep a few by
 * accident.
 *
 * The context's stack comes from malloc, which bdwgc does not scan. Natively it is registered as
 * a root (GC_add_roots), as any native coroutine library must do for bdwgc; on WASI the hook
 * finds it through asyncify_rt_for_each_suspended_context and it is deliberately not registered.
 */
#include <gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

/* What holds an object: nothing (garbage), or the holder of part 1, 2 or 3. */
enum kind { GARBAGE, MAIN_LOCAL, FRAMES, CONTEXT, KINDS };
static unsigned long finalized[KINDS];

#define PAYLOAD 6
struct node {
    struct node *next;
    unsigned id;
    /* High bit set: never mistaken for a heap address (below 2 GiB on wasm32; each 64-bit pair
     * natively is far outside user space). */
    unsigned words[PAYLOAD];
};

static unsigned payload(unsigned id, int k) {
    return 0x80000000u | ((id * 2654435761u + (unsigned)k * 40503u) & 0x7fffffffu);
}

static void GC_CALLBACK count_finalized(void *obj, void *kind) {
    (void)obj;
    finalized[(size_t)kind]++;
}

NOINLINE static struct node *new_node(unsigned id, struct node *next, enum kind kind) {
    struct node *p = GC_MALLOC(sizeof *p);
    if (!p) {
        printf("out of memory\n");
        exit(3);
    }
    p->next = next;
    p->id = id;
    for (int k = 0; k < PAYLOAD; k++)
        p->words[k] = payload(id, k);
    GC_REGISTER_FINALIZER(p, count_finalized, (void *)(size_t)kind, 0, 0);
    return p;
}

/* A chain of n nodes of this kind with ids first..first+n-1, head first. */
NOINLINE static struct node *make_chain(unsigned first, int n, enum kind kind) {
    struct node *head = 0;
    for (int i = n - 1; i >= 0; i--)
        head = new_node(first + (unsigned)i, head, kind);
    return head;
}

/* How many of the n nodes of the chain built by make_chain(first, n) are intact. */
NOINLINE static unsigned intact(const struct node *p, unsigned first, int n) {
    unsigned ok = 0;
    for (int i = 0; i < n && p; i++, p = p->next) {
        int good = p->id == first + (unsigned)i;
        for (int k = 0; k < PAYLOAD; k++)
            good = good && p->words[k] == payload(first + (unsigned)i, k);
        if (!good)
            break;
        ok++;
    }
    return ok;
}

/* Objects nothing points to once this returns. */
#define GARBAGE_COUNT 2000
NOINLINE static void make_garbage(void) {
    for (int i = 0; i < GARBAGE_COUNT; i++)
        new_node(900000u + (unsigned)i, 0, GARBAGE);
}

/* Fresh objects of the nodes' size (no finalizer), with other contents: they take the place of
 * any node the collector freed, so a lost node cannot stay "intact" by luck. */
NOINLINE static void churn(void) {
    for (int i = 0; i < 1000; i++) {
        struct node *p = GC_MALLOC(sizeof *p);
        if (p)
            memset(p, 0x5a, sizeof *p);
    }
}

/* Two forced full collections, each followed by the finalizers it queued (an unreachable object
 * with a finalizer is finalized by one collection and freed by the next), then churn. Returns how
 * many objects of `kind` were finalized. */
NOINLINE static unsigned long collect(enum kind kind) {
    unsigned long before = finalized[kind];
    for (int round = 0; round < 2; round++) {
        GC_gcollect();
        GC_invoke_finalizers();
    }
    churn();
    return finalized[kind] - before;
}

/* 1. A chain held only by a local of the running function. */
NOINLINE static void main_local(void) {
    struct node *chain = make_chain(1000, 100, MAIN_LOCAL);
    unsigned long lost = collect(MAIN_LOCAL);
    printf("main local: %u/100 nodes intact, %lu finalized while live\n", intact(chain, 1000, 100), lost);
}

/* 2. One chain per frame, each only in that frame's local. */
#define DEPTH 40
static unsigned long frames_lost;
NOINLINE static unsigned hold_in_frames(int depth) {
    struct node *mine = make_chain(2000u + 10u * (unsigned)depth, 3, FRAMES);
    unsigned ok;
    if (depth == 0)
        ok = (frames_lost = collect(FRAMES), 0);
    else
        ok = hold_in_frames(depth - 1);
    return ok + intact(mine, 2000u + 10u * (unsigned)depth, 3);
}

/* 3. A chain held by a local of a suspended made context. The chain is built on the main stack
 * (bdwgc cannot collect inside a made context: see examples/gc/asyncify_gc_roots.c) and handed
 * over through a global that the context clears. */
#define CO_STACK (64 * 1024)
static ucontext_t main_uc, co_uc;
static struct node *handoff;
static unsigned co_ok;
static void co_body(void) {
    struct node *mine = handoff;
    handoff = 0;
    swapcontext(&co_uc, &main_uc); /* suspended here while main collects */
    co_ok = intact(mine, 5000, 50);
}

NOINLINE static void build_handoff(void) {
    handoff = make_chain(5000, 50, CONTEXT);
}

NOINLINE static void suspended_context(void) {
    char *stack = malloc(CO_STACK);
    if (!stack) {
        printf("no stack\n");
        exit(3);
    }
    memset(stack, 0, CO_STACK);
#ifndef __wasi__
    GC_add_roots(stack, stack + CO_STACK); /* natively bdwgc cannot know about this stack */
#endif
    getcontext(&co_uc);
    co_uc.uc_stack.ss_sp = stack;
    co_uc.uc_stack.ss_size = CO_STACK;
    co_uc.uc_link = &main_uc;
    makecontext(&co_uc, co_body, 0);
    build_handoff();
    swapcontext(&main_uc, &co_uc); /* runs co_body up to its swapcontext */
    unsigned long lost = collect(CONTEXT);
    swapcontext(&main_uc, &co_uc); /* co_body checks its chain and returns here */
    printf("suspended context: %u/50 nodes intact, %lu finalized while live\n", co_ok, lost);
#ifndef __wasi__
    GC_remove_roots(stack, stack + CO_STACK);
#endif
    free(stack);
}

int main(void) {
    /* wasi-libc (2022 snapshot) sets up malloc at its first call and then takes all memory up to
     * the current end, including pages bdwgc already took with sbrk: malloc first (through a
     * volatile, or the compiler drops the pair). */
    void *volatile first = malloc(1);
    free(first);
    GC_INIT();
    GC_set_finalize_on_demand(1);
    make_garbage();
    main_local();
    unsigned frames_ok = hold_in_frames(DEPTH);
    printf("frames: %u/%d nodes intact, %lu finalized while live\n", frames_ok, 3 * (DEPTH + 1), frames_lost);
    suspended_context();
    collect(GARBAGE);
    printf("garbage: %d allocated, at least 90%% finalized: %s\n", GARBAGE_COUNT,
           finalized[GARBAGE] * 10 >= 9ul * GARBAGE_COUNT ? "yes" : "no");
    return 0;
}
