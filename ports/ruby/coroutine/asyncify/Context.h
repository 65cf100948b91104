#ifndef COROUTINE_ASYNCIFY_CONTEXT_H
#define COROUTINE_ASYNCIFY_CONTEXT_H

/*
 * coroutine/asyncify/Context.h - CRuby's coroutine interface on asyncify-rt's <ucontext.h>
 * (replaces CRuby's own adapter over wasm/fiber.c).
 *
 * A fiber is a context made by makecontext on the machine stack CRuby's fiber pool gives it;
 * coroutine_transfer is swapcontext. asyncify-rt keeps a suspended fiber's wasm frames on the
 * fiber's own stack (no fixed buffer, no limit on fibers) and manages the stack pointer itself.
 *
 * asyncify-rt lists every made context that has started and not finished, for the garbage
 * collector's scan of suspended contexts (asyncify_rt_for_each_suspended_context). A CRuby fiber
 * never returns from its start function: a terminated fiber switches away for good and its stack
 * goes back to the pool. So coroutine_destroy tells the runtime that the context is gone
 * (asyncify_rt_context_destroyed) before its stack is reused or freed; CRuby calls it when a
 * fiber is freed, and (patched, see ports/ruby/patches/) when a terminated fiber's stack is
 * released.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <asyncify_rt.h>

#define COROUTINE __attribute__((noreturn)) void

struct coroutine_context
{
    ucontext_t state;
    struct coroutine_context *from;
    void *argument;
    /* COROUTINE_KIND_*: what this context is to the runtime. */
    int kind;
};

/* Not (or no longer) known to the runtime: never initialised, or destroyed. */
#define COROUTINE_KIND_NONE 0
/* The main context (CRuby's root fiber): the program's own stack. */
#define COROUTINE_KIND_MAIN 1
/* Made by makecontext on a fiber stack, not destroyed: listed by the runtime. */
#define COROUTINE_KIND_MADE 2

typedef COROUTINE(* coroutine_start)(struct coroutine_context *from, struct coroutine_context *self);

COROUTINE coroutine_trampoline(void * _start, void * _context);

static inline void coroutine_initialize_main(struct coroutine_context * context)
{
    /* The main context needs no getcontext: swapcontext fills the ucontext_t it saves into. */
    memset(&context->state, 0, sizeof(context->state));
    context->from = NULL;
    context->kind = COROUTINE_KIND_MAIN;
}

static inline void coroutine_initialize(
    struct coroutine_context *context,
    coroutine_start start,
    void *stack,
    size_t size
) {
    coroutine_initialize_main(context);

    context->state.uc_stack.ss_sp = stack;
    context->state.uc_stack.ss_size = size;
    context->state.uc_stack.ss_flags = 0;
    context->state.uc_link = NULL;

    /* Pointers are 32-bit on wasm32, so they pass as makecontext's int arguments. */
    makecontext(&context->state, (void (*)(void))coroutine_trampoline, 2,
                (int)(uintptr_t)start, (int)(uintptr_t)context);
    context->kind = COROUTINE_KIND_MADE;
}

static inline struct coroutine_context * coroutine_transfer(struct coroutine_context * current, struct coroutine_context * target)
{
    struct coroutine_context * previous = target->from;

    target->from = current;
    if (swapcontext(&current->state, &target->state) != 0) {
        /* EINVAL: the target was never made, or made with an invalid stack (errno is set). */
        target->from = previous;
        return NULL;
    }
    target->from = previous;

    return target;
}

/*
 * The wasm locals of a suspended fiber are spilled by asyncify-rt onto the fiber's own stack,
 * *below* the stack pointer CRuby records when it switches away (cont->machine.stack), so
 * cont_mark would miss them. With COROUTINE_MARK_SPILLED_FRAMES defined, cont.c (patched, see
 * ports/ruby/patches/) calls coroutine_each_spilled_frames from cont_mark: a fiber's spilled
 * locals are marked when, and only when, the fiber itself is marked.
 */
#define COROUTINE_MARK_SPILLED_FRAMES 1

/*
 * coroutine_each_spilled_frames - if context is suspended (its chain saved by swapcontext),
 * call fn(begin, end, arg) with the range holding its spilled wasm locals; otherwise (running,
 * never started, destroyed) do nothing. context is a fiber's or the main (root fiber's) one.
 * Built on asyncify_rt_context_frames: O(1).
 */
void coroutine_each_spilled_frames(const struct coroutine_context *context,
                                   void (*fn)(void *begin, void *end, void *arg), void *arg);

static inline void coroutine_destroy(struct coroutine_context * context)
{
    if (context->kind == COROUTINE_KIND_MADE) {
        asyncify_rt_context_destroyed(&context->state);
    }
    context->kind = COROUTINE_KIND_NONE;
    context->state.uc_stack.ss_sp = NULL;
    context->state.uc_stack.ss_size = 0;
    context->from = NULL;
}

#endif /* COROUTINE_ASYNCIFY_CONTEXT_H */
