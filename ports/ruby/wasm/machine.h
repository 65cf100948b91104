/*
 * wasm/machine.h - CRuby's WASI machine interface (stack bounds, locals scan) on asyncify-rt
 * (replaces CRuby's own).
 */
#ifndef RB_WASM_SUPPORT_MACHINE_H
#define RB_WASM_SUPPORT_MACHINE_H

#include <stddef.h>

/* Scan callback: a [begin, end) range of 4-byte words that may hold VALUEs. */
typedef void (*rb_wasm_scan_func)(void*, void*);

/*
 * rb_wasm_scan_locals - call scan(begin, end) once with a range holding the wasm locals of
 * every frame of the running context (suspended fibers' locals are marked with their fiber, see
 * coroutine/asyncify/Context.h). gc.c keeps the range and reads it after this returns, so it
 * is a copy owned by this module, valid until the next call. Built on
 * asyncify_rt_scan_registers, whose range is valid only during its callback.
 * If the copy cannot be allocated the process ends (status 1) after one line on stderr.
 */
void rb_wasm_scan_locals(rb_wasm_scan_func scan);

/*
 * rb_wasm_stack_get_base - the base (highest address; the stack grows down) of the running
 * shadow stack, from asyncify_rt_stack_bounds. CRuby calls it for the main thread only.
 */
void *rb_wasm_stack_get_base(void);

/*
 * rb_wasm_stack_get_maxsize - how many bytes of the running shadow stack CRuby may use before
 * raising SystemStackError (ec->machine.stack_maxsize): the stack's size less a reserve
 * (1/8 of the stack, at least 64 KiB) kept free for the runtime, which unwinds the frames a longjmp abandons into the free part of the stack.
 */
size_t rb_wasm_stack_get_maxsize(void);
/* Tells thread_none.c (patched, see ports/ruby/patches/) to set the main thread's
 * machine.stack_maxsize from rb_wasm_stack_get_maxsize, so runaway C recursion raises
 * SystemStackError instead of overrunning the shadow stack. */
#define RB_WASM_HAVE_STACK_MAXSIZE 1

#endif
