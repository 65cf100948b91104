/*
 * asyncify_rt.h - the runtime's own interface: exit statuses of diagnosed misuse, and the
 * runtime's introspection entry points. Including it also includes <setjmp.h>.
 */
#ifndef _ASYNCIFY_RT_H
#define _ASYNCIFY_RT_H

#include "setjmp.h"   /* this folder's, whatever the include path: never libc's */
#include "ucontext.h"

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
/* setjmp, longjmp, a context function or a scan called from inside a scan callback, while the
 * program's frames are unwound (see asyncify_rt_scan_registers). */
#define ASYNCIFY_RT_STATUS_IN_CALLBACK 118
/* An internal invariant of the runtime failed (a bug in asyncify-rt: please report it). */
#define ASYNCIFY_RT_STATUS_INTERNAL 119

/*
 * asyncify_rt_stack_bounds - the shadow stack of the running context.
 * Stores the lowest usable address in *low and the address one past the highest in *high
 * (the stack grows down from *high). Either pointer may be NULL. Returns 0.
 */
int asyncify_rt_stack_bounds(void **low, void **high);

/*
 * Conservative scanning for garbage collectors.
 *
 * On wasm, the "registers" are the wasm locals of the frames on the call stack, which live outside
 * linear memory, where a conservative collector cannot see them. The functions below make them
 * visible, for the running context and for suspended ones. Ranges are [begin, end) byte ranges of
 * 4-byte aligned words; a collector treats every word in them as a possible pointer.
 */

/* A scan callback: a range of memory that may hold pointers, and the caller's user_data. */
typedef void (*asyncify_rt_scan_fn)(void *begin, void *end, void *user_data);

/*
 * asyncify_rt_scan_registers - spill the wasm locals of every instrumented frame of the running
 * context to memory (an Asyncify unwind to the root), call fn(begin, end, user_data) once with
 * the range holding them, then resume exactly where the program was (rewind): the program's
 * results are unaffected, and repeated scans use no stack.
 * The range holds exactly the frames saved by this unwind (no stale bytes from earlier ones) and
 * is valid only during the call: mark eagerly (e.g. Boehm GC's GC_push_all_eager). fn runs on the
 * running stack below the spilled frames. Inside fn, anything that unwinds ends the program with
 * ASYNCIFY_RT_STATUS_IN_CALLBACK (118): longjmp, a context function, a register scan, and setjmp
 * compiled in capture mode (with LLVM's lowering setjmp only records a label and is allowed, as
 * is asyncify_rt_scan_stack).
 * Returns 0; -1 with errno EINVAL if fn is NULL. Binaryen semantics relied on: every function
 * that can reach this call (directly or through a function pointer) is instrumented, so its
 * locals are saved; uninstrumented frames (imports, the runtime's root) hold no program pointers.
 */
int asyncify_rt_scan_registers(asyncify_rt_scan_fn fn, void *user_data);

/*
 * asyncify_rt_scan_stack - call fn(begin, end, user_data) with the part of the running context's
 * shadow stack in use: from the caller's stack pointer to the top (the stack's base; the stack
 * grows down). Returns 0; -1 with errno EINVAL if fn is NULL.
 */
int asyncify_rt_scan_stack(asyncify_rt_scan_fn fn, void *user_data);

/* A suspended context, as given to asyncify_rt_for_each_suspended_context. */
typedef struct {
    /* The made context that owns the stack; NULL for the main context. */
    const ucontext_t *context;
    /* The part of its stack in use while suspended: from its saved stack pointer to its top.
     * This includes its spilled frames. */
    void *stack_begin, *stack_end;
    /* Its spilled frames (its wasm locals), inside [stack_begin, stack_end). */
    void *frames_begin, *frames_end;
} asyncify_rt_context_info;

typedef void (*asyncify_rt_context_fn)(const asyncify_rt_context_info *info, void *user_data);

/*
 * asyncify_rt_for_each_suspended_context - call fn for every context suspended by a context switch
 * (swapcontext or a made context's start from another context): the main context when a made
 * context runs, and every made context that has started, has not finished, and is not running.
 * A collector scans [stack_begin, stack_end) of each to find the roots of all coroutines, not just
 * the running one. Made contexts are kept in an intrusive list (no table, no limit); call
 * asyncify_rt_context_destroyed before freeing the stack of a context that has not finished.
 * Returns the number of contexts visited; -1 with errno EINVAL if fn is NULL.
 */
int asyncify_rt_for_each_suspended_context(asyncify_rt_context_fn fn, void *user_data);

/*
 * asyncify_rt_context_destroyed - forget the made context ucp (its stack is about to be freed or
 * reused before its function returned). It is no longer visited, and resuming it ends the program
 * with ASYNCIFY_RT_STATUS_BAD_CONTEXT. Returns 0; -1 with errno EINVAL if ucp is NULL.
 */
int asyncify_rt_context_destroyed(ucontext_t *ucp);

/*
 * asyncify_rt_context_frames - where the runtime keeps the spilled frames (the wasm locals) of the
 * saved context ucp, in O(1) in the common case: for a VM that marks each suspended coroutine with its own object
 * rather than walking every suspended context (asyncify_rt_for_each_suspended_context).
 * When ucp holds a chain saved by swapcontext that can still be resumed (O(1) while nothing has
 * run on its stack since, else one pass over the frames), or one saved by getcontext whose saved
 * frames' record is intact, stores the range
 * [*begin, *end) of those frames (inside its stack, below the stack pointer it resumes with); for
 * any other context (made and not started, running, resumed, finished, destroyed, never
 * initialised) stores NULL in both. The range is valid until anything runs on that context's
 * stack. Returns 0; -1 with errno EINVAL if any argument is NULL.
 */
int asyncify_rt_context_frames(const ucontext_t *ucp, void **begin, void **end);

/*
 * Emscripten-compatible entry points (same signatures as <emscripten/emscripten.h>), so code
 * written for Emscripten's Asyncify builds unchanged:
 * emscripten_scan_registers(f) is asyncify_rt_scan_registers with f(begin, end);
 * emscripten_scan_stack(f) is asyncify_rt_scan_stack with f(begin, end).
 */
typedef void (*em_scan_func)(void *begin, void *end);
void emscripten_scan_registers(em_scan_func func);
void emscripten_scan_stack(em_scan_func func);

#ifdef __cplusplus
}
#endif

#endif /* _ASYNCIFY_RT_H */
