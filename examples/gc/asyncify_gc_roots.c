/*
 * asyncify_gc_roots.c - make Boehm GC (bdwgc) see wasm locals under asyncify-rt.
 *
 * Recipe (for the README):
 *
 *   asyncify-cc -O2 -I<bdwgc>/include '-DGETPAGESIZE()=65536' \
 *       <bdwgc>/extra/gc.c your_program.c examples/gc/asyncify_gc_roots.c -o prog.wasm
 *
 * Nothing else changes: adding this file to the link installs the hook before main starts.
 *
 * Why: on wasm, a value held only in a wasm local (a "register") lives outside linear memory,
 * so bdwgc's stack scan cannot see it and frees the object. bdwgc's public hook for extra
 * roots, GC_set_push_other_roots, runs during every collection's root marking; the hook below
 *   1. asks asyncify-rt to spill the running context's wasm locals (asyncify_rt_scan_registers)
 *      and marks that range at once with GC_push_all_eager: the range exists only during the
 *      callback, so it must not be queued for later (GC_push_all would);
 *   2. marks the in-use part of every suspended ucontext stack (asyncify_rt_for_each_suspended_
 *      context): a coroutine's locals are spilled into its own stack while it is suspended;
 *   3. calls the hook that was installed before it (bdwgc asks hooks to chain).
 * The constructor only stores a function pointer (GC_set_push_other_roots); it must not, and
 * does not, call setjmp or any other asyncify-rt function (constructors run outside main).
 * Limits (bdwgc's, not the hook's):
 *  - Allocate and collect on the main stack, under main (scans need the runtime's root). bdwgc
 *    scans one stack, from the stack pointer to the main stack's base; a made context's stack
 *    lies above it in linear memory, so a collection started inside a made context faults
 *    (natively, too, bdwgc must be told about coroutine stacks). Hand pointers to contexts
 *    instead, as tests/c/gc/locals_only.c does.
 *  - With Debian's wasi-libc (2022 snapshot), malloc sets itself up at its first call and then
 *    takes all memory up to the current end, including pages bdwgc already took with sbrk: call
 *    malloc once (through a volatile, so the compiler keeps it) before GC_INIT, or malloc and
 *    the collector will share pages.
 * A program that installs its own push-other-roots procedure later should chain to the one it
 * replaces (GC_get_push_other_roots), as bdwgc documents, or call asyncify_gc_roots_install()
 * again after it.
 */
#include <asyncify_rt.h>
#include <gc/gc_mark.h>

static GC_push_other_roots_proc asyncify_gc_previous;

/* Mark a range of possible pointers right now. */
static void asyncify_gc_push_range(void *begin, void *end, void *unused) {
    (void)unused;
    if (begin != end)
        GC_push_all_eager(begin, end);
}

static void asyncify_gc_push_context(const asyncify_rt_context_info *info, void *unused) {
    asyncify_gc_push_range(info->stack_begin, info->stack_end, unused);
}

static void GC_CALLBACK asyncify_gc_push_other_roots(void) {
    asyncify_rt_scan_registers(asyncify_gc_push_range, 0);
    asyncify_rt_for_each_suspended_context(asyncify_gc_push_context, 0);
    if (asyncify_gc_previous)
        asyncify_gc_previous();
}

/* Installs the hook (once; a second call is a no-op). */
void asyncify_gc_roots_install(void) {
    GC_push_other_roots_proc current = GC_get_push_other_roots();
    if (current != asyncify_gc_push_other_roots) {
        asyncify_gc_previous = current;
        GC_set_push_other_roots(asyncify_gc_push_other_roots);
    }
}

__attribute__((constructor)) static void asyncify_gc_roots_constructor(void) {
    asyncify_gc_roots_install();
}
