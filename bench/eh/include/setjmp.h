/*
 * <setjmp.h> for the benchmarks' Wasm exception-handling build (bench/setjmp.rs, the "EH"
 * column): C programs compiled by clang with `-mllvm -wasm-enable-sjlj`, no Asyncify and no
 * asyncify-rt. Debian's 2022 wasi-libc has no <setjmp.h>; this one declares what LLVM's
 * setjmp/longjmp lowering (WebAssemblyLowerEmscriptenEHSjLj) recognises by name, `setjmp` and
 * `longjmp`, and maps the POSIX variants onto them. The runtime the lowered code calls is
 * bench/eh/sjlj_rt.c.
 *
 * Only for the benchmarks: not installed, not part of asyncify-rt.
 */
#ifndef _BENCH_EH_SETJMP_H
#define _BENCH_EH_SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __wasm_exception_handling__
#error "bench/eh/include/setjmp.h needs Wasm exception handling (-mllvm -wasm-enable-sjlj)"
#endif

/* The runtime's record (bench/eh/sjlj_rt.c, struct eh_jmp_buf) fits in the first words; the
 * rest is room to spare, as other libcs' jmp_bufs have. */
struct __jmp_buf_tag {
    void *__words[8];
};

typedef struct __jmp_buf_tag jmp_buf[1];
/* WASI has no signals: a sigjmp_buf needs no saved mask. */
typedef struct __jmp_buf_tag sigjmp_buf[1];

/* setjmp - record the calling point; 0 when called, longjmp's val when returning again (C11 7.13.1.1). */
int setjmp(jmp_buf env) __attribute__((returns_twice));
/* longjmp - return again from the setjmp that filled env, with val (1 if val is 0) (C11 7.13.2.1). */
_Noreturn void longjmp(jmp_buf env, int val);

/* POSIX variants: no signal mask exists on WASI, so they are setjmp and longjmp. The lowering
 * only recognises the names setjmp and longjmp, hence macros rather than functions. */
#define _setjmp(env) setjmp(env)
#define _longjmp(env, val) longjmp((env), (val))
#define sigsetjmp(env, savemask) setjmp(((void)(savemask), (env)))
#define siglongjmp(env, val) longjmp((env), (val))

#ifdef __cplusplus
}
#endif

#endif /* _BENCH_EH_SETJMP_H */
