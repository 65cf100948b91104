/* coroutine/asyncify/Context.c - the start of a fiber's context (see Context.h). */
#include "Context.h"

void coroutine_trampoline(void * _start, void * _context)
{
    coroutine_start start = (coroutine_start)_start;
    struct coroutine_context * context = _context;

    start(context->from, context);
}

void
coroutine_each_spilled_frames(const struct coroutine_context *context,
                              void (*fn)(void *begin, void *end, void *arg), void *arg)
{
    void *begin, *end;
    if (context->kind == COROUTINE_KIND_NONE) {
        return; /* not known to the runtime: nothing spilled */
    }
    /* The chain its last swapcontext saved into its ucontext_t, while still suspended; NULLs
     * otherwise (running, never started). */
    if (asyncify_rt_context_frames(&context->state, &begin, &end) == 0 && begin != NULL) {
        fn(begin, end, arg);
    }
}
