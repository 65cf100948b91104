/*
 * The runtime of the benchmarks' Wasm exception-handling setjmp build (bench/setjmp.rs, the "EH"
 * column): what clang's `-mllvm -wasm-enable-sjlj` lowering calls, written here because Debian's
 * 2022 wasi-libc has no libsetjmp. No Asyncify is involved.
 *
 * The contract, from LLVM's WebAssemblyLowerEmscriptenEHSjLj pass (LLVM >= 19):
 * - each function that calls setjmp gets an invocation slot on its stack frame whose address
 *   identifies that invocation, and numbers its setjmp calls 1, 2, ... (the label);
 * - `setjmp(env)` becomes `__wasm_setjmp(env, label, slot)` and yields 0;
 * - `longjmp(env, val)` becomes `__wasm_longjmp(env, val)`, which must throw the exception tag
 *   `__c_longjmp` (one i32 parameter) with the address of a { void *env; int val; } record;
 * - every function that called setjmp catches `__c_longjmp`, loads env and val from that record
 *   and calls `__wasm_setjmp_test(env, slot)`: a label other than 0 means the jump is for this
 *   invocation (the code resumes after that setjmp, returning val); 0 means it is for a frame
 *   further up and the exception is thrown on.
 *
 * Only for the benchmarks: not installed, not part of asyncify-rt.
 */
#include <stdint.h>
#include <setjmp.h>

/* What longjmp hands to the catching frame (layout fixed by the LLVM pass). */
struct eh_longjmp_arg {
    void *env;
    int val;
};

/* How this runtime uses a jmp_buf. */
struct eh_jmp_buf {
    void *invocation;          /* the slot address of the invocation that called setjmp */
    uint32_t label;            /* which of its setjmp calls (>= 1) */
    struct eh_longjmp_arg arg; /* the thrown record lives in the buffer, which outlives the jump */
};

_Static_assert(sizeof(struct eh_jmp_buf) <= sizeof(jmp_buf), "jmp_buf too small");
_Static_assert(_Alignof(struct eh_jmp_buf) <= _Alignof(jmp_buf), "jmp_buf under-aligned");

void __wasm_setjmp(void *env, uint32_t label, void *invocation);
uint32_t __wasm_setjmp_test(void *env, void *invocation);
_Noreturn void __wasm_longjmp(void *env, int val);

/* __wasm_setjmp - remember which invocation and which of its setjmp calls filled env. */
void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
    struct eh_jmp_buf *b = env;
    b->invocation = invocation;
    b->label = label;
}

/* __wasm_setjmp_test - the label to resume at if env was filled by this invocation, else 0. */
uint32_t __wasm_setjmp_test(void *env, void *invocation) {
    const struct eh_jmp_buf *b = env;
    return b->invocation == invocation ? b->label : 0;
}

/* The exception tag `__c_longjmp`, with one i32 parameter (the record's address). clang only
 * refers to it (from __builtin_wasm_throw's tag index 1 and from every catch), so it is defined
 * here, in assembly: C has no syntax for a tag. */
__asm__(".globl __c_longjmp\n"
        ".tagtype __c_longjmp i32\n"
        "__c_longjmp:\n");

/* __wasm_longjmp - throw __c_longjmp to the frame whose setjmp filled env; val 0 becomes 1
 * (C11 7.13.2.1). Tag index 1 of __builtin_wasm_throw is the C longjmp tag. */
_Noreturn void __wasm_longjmp(void *env, int val) {
    struct eh_jmp_buf *b = env;
    b->arg.env = env;
    b->arg.val = val == 0 ? 1 : val;
    __builtin_wasm_throw(1, &b->arg);
}
