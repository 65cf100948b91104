/*
 * wasm/setjmp.h - CRuby's WASI setjmp interface on asyncify-rt (replaces CRuby's own).
 *
 * CRuby includes this header instead of <setjmp.h> on wasm (vm_core.h, eval_intern.h, gc.c).
 * Here it is the standard <setjmp.h> of asyncify-rt: `jmp_buf` is 32 bytes of bookkeeping and
 * setjmp/longjmp are the runtime's (LLVM's setjmp lowering by default: setjmp costs O(1), a
 * longjmp unwinds only the frames it abandons). No fixed-size Asyncify buffer exists anywhere.
 *
 * The `rb_wasm_*` names that CRuby's sources use are kept as thin aliases, and the try/catch API
 * that vm_exec() uses on wasm is provided on top of setjmp.
 */
#ifndef RB_WASM_SUPPORT_SETJMP_H
#define RB_WASM_SUPPORT_SETJMP_H

#include <setjmp.h>

/* Tells vm_core.h (patched, see ports/ruby/patches/) that a jmp_buf is small enough to live
 * inline in each rb_vm_tag instead of being malloc'ed and freed per tag. */
#define RB_WASM_INLINE_TAG_JMPBUF 1

/* CRuby's name for the jump buffer; the standard one. */
typedef jmp_buf rb_wasm_jmp_buf;

/* rb_wasm_setjmp(env) / rb_wasm_longjmp(env, val): the standard calls (C11 7.13). */
#define rb_wasm_setjmp(env) setjmp(env)
#define rb_wasm_longjmp(env, payload) longjmp((env), (payload))

typedef void (*rb_wasm_try_catch_func_t)(void *ctx);

/* State of one try/catch run (CRuby's layout; `state` is the phase). */
struct rb_wasm_try_catch {
    rb_wasm_try_catch_func_t try_f;
    rb_wasm_try_catch_func_t catch_f;
    void *context;
    int state;
};

/*
 * rb_wasm_try_catch_init - prepare try_catch to run try_f(context), and catch_f(context) after
 * each longjmp to the target given to rb_wasm_try_catch_loop_run. catch_f may be NULL.
 */
void rb_wasm_try_catch_init(struct rb_wasm_try_catch *try_catch,
                            rb_wasm_try_catch_func_t try_f,
                            rb_wasm_try_catch_func_t catch_f,
                            void *context);

/*
 * rb_wasm_try_catch_loop_run - run try_f; every longjmp to *target made while it (or a later
 * catch_f) runs ends that call and runs catch_f (if any); returns when try_f or catch_f returns
 * normally. Built on setjmp(*target): the jmp_buf is set once, here, and stays valid for the
 * whole call. Semantics are CRuby's (wasm/setjmp.h of CRuby 3.3): longjmps to target must not
 * happen after this function has returned.
 */
void rb_wasm_try_catch_loop_run(struct rb_wasm_try_catch *try_catch, rb_wasm_jmp_buf *target);

#endif
