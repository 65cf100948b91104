/* coroutine/asyncify/Context.c - the start of a fiber's context (see Context.h). */
#include "Context.h"

void coroutine_trampoline(void * _start, void * _context)
{
    coroutine_start start = (coroutine_start)_start;
    struct coroutine_context * context = _context;

    start(context->from, context);
}
