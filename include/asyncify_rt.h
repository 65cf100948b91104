/*
 * asyncify_rt.h - the runtime's own interface: exit statuses of diagnosed misuse, and the
 * runtime's introspection entry points. Including it also includes <setjmp.h>.
 */
#ifndef _ASYNCIFY_RT_H
#define _ASYNCIFY_RT_H

#include <setjmp.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Exit statuses of diagnosed misuse. Each is reported by a single line on stderr starting with
 * "asyncify-rt: " that names the problem, followed by process exit with the status below
 * (WASI proc_exit). They are chosen outside the range programs conventionally use (0-2, 64-78)
 * and below 126 (wasmtime rejects proc_exit statuses of 126 and above).
 */
/* longjmp to a jmp_buf that setjmp never filled in (or that was overwritten). */
#define ASYNCIFY_RT_STATUS_BAD_JMPBUF 121
/* longjmp to a jmp_buf whose setjmp caller has returned (its saved frames are gone). */
#define ASYNCIFY_RT_STATUS_DEAD_JMPBUF 122
/* The shadow stack has no room for the frames an Asyncify unwind must save. Raise the stack
 * size at link time with -Wl,-z,stack-size=BYTES (asyncify-cc's default is 8 MiB). */
#define ASYNCIFY_RT_STATUS_STACK_EXHAUSTED 123
/* longjmp to a jmp_buf set in a different context (ucontext) than the running one. */
#define ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF 124
/* setjmp/longjmp called outside main's call tree: from a constructor, or from an atexit handler
 * after main returned. Frames can only be saved under main (the runtime's root wraps it). */
#define ASYNCIFY_RT_STATUS_NO_ROOT 125
/* setcontext/swapcontext to a context that was never initialised, whose function has returned,
 * or whose saved frames were overwritten (see <ucontext.h>). */
#define ASYNCIFY_RT_STATUS_BAD_CONTEXT 120
/* An internal invariant of the runtime failed (a bug in asyncify-rt: please report it). */
#define ASYNCIFY_RT_STATUS_INTERNAL 119

/*
 * asyncify_rt_stack_bounds - the shadow stack of the running context.
 * Stores the lowest usable address in *low and the address one past the highest in *high
 * (the stack grows down from *high). Either pointer may be NULL. Returns 0.
 */
int asyncify_rt_stack_bounds(void **low, void **high);

#ifdef __cplusplus
}
#endif

#endif /* _ASYNCIFY_RT_H */
