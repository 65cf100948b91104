/*
 * wasm/setjmp.c - CRuby's try/catch helper on the standard setjmp (asyncify-rt).
 * CRuby's own wasm/setjmp.c implemented setjmp/longjmp by unwinding the whole stack into a
 * 6 KiB buffer per jmp_buf; here setjmp and longjmp are asyncify-rt's, so only the try/catch
 * loop that vm_exec() calls remains, as ordinary C.
 */
#include "wasm/setjmp.h"

enum try_catch_phase {
    TRY_CATCH_PHASE_MAIN = 0,
    TRY_CATCH_PHASE_RESCUE = 1,
};

void
rb_wasm_try_catch_init(struct rb_wasm_try_catch *try_catch,
                       rb_wasm_try_catch_func_t try_f,
                       rb_wasm_try_catch_func_t catch_f,
                       void *context)
{
    try_catch->state = TRY_CATCH_PHASE_MAIN;
    try_catch->try_f = try_f;
    try_catch->catch_f = catch_f;
    try_catch->context = context;
}

void
rb_wasm_try_catch_loop_run(struct rb_wasm_try_catch *try_catch, rb_wasm_jmp_buf *target)
{
    /* The phase lives in *try_catch (memory), so it survives the jump whatever the compiler does
     * with locals (C11 7.13.2.1p3). */
    if (setjmp(*target) != 0) {
        try_catch->state = TRY_CATCH_PHASE_RESCUE;
    }
    if (try_catch->state == TRY_CATCH_PHASE_MAIN) {
        try_catch->try_f(try_catch->context);
    }
    else if (try_catch->catch_f) {
        try_catch->catch_f(try_catch->context);
    }
}
