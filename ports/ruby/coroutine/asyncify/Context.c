/* coroutine/asyncify/Context.c - the start of a fiber's context (see Context.h). */
#include "Context.h"

void coroutine_trampoline(void * _start, void * _context)
{
    coroutine_start start = (coroutine_start)_start;
    struct coroutine_context * context = _context;

    start(context->from, context);
}

struct spilled_query {
    const ucontext_t *want; /* the made context, or NULL for the main context */
    void (*fn)(void *begin, void *end, void *arg);
    void *arg;
};

static void
visit_suspended(const asyncify_rt_context_info *info, void *user_data)
{
    struct spilled_query *q = user_data;
    if (info->context == q->want) {
        q->fn(info->frames_begin, info->frames_end, q->arg);
    }
}

void
coroutine_each_spilled_frames(const struct coroutine_context *context,
                              void (*fn)(void *begin, void *end, void *arg), void *arg)
{
    struct spilled_query q = { NULL, fn, arg };
    switch (context->kind) {
      case COROUTINE_KIND_MADE: q.want = &context->state; break;
      case COROUTINE_KIND_MAIN: q.want = NULL; break;
      default: return; /* not known to the runtime: nothing spilled */
    }
    asyncify_rt_for_each_suspended_context(visit_suspended, &q);
}
