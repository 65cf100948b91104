/*
 * <setjmp.h> for WASI programs linked with asyncify-rt.
 *
 * Semantics: ISO C11 7.13 (setjmp, longjmp) and POSIX.1-2008 (_setjmp, _longjmp, sigsetjmp,
 * siglongjmp). Implementation: Binaryen's Asyncify transform, with LLVM's setjmp lowering by
 * default; ARCHITECTURE.md tells how.
 *
 * Programs must be linked by `asyncify-cc` (or with the flags it documents) so that the module is
 * processed by `wasm-opt --asyncify` and `main` runs under the runtime's root.
 */
#ifndef _ASYNCIFY_RT_SETJMP_H
#define _ASYNCIFY_RT_SETJMP_H

/*
 * wasi-libc from late 2024 on (wasi-sdk 22+, Debian trixie) ships its own <setjmp.h>: an #error
 * unless Wasm exception handling is on, and otherwise a second definition of struct
 * __jmp_buf_tag and jmp_buf. This header comes first on asyncify-cc's include path, and no
 * wasi-libc header includes <setjmp.h> itself; defining wasi-libc's (musl's) include guard also
 * makes any later inclusion of that header by another route (an explicit path, #include_next)
 * an empty one instead of a conflict.
 */
#ifndef _SETJMP_H
#define _SETJMP_H
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The saved execution context. 32 bytes, 4-byte aligned, on wasm32. It holds only bookkeeping
 * (where the saved frames are, which context and strategy set it, an identity for misuse checks);
 * the frames themselves live on the shadow stack. It may live on the stack, on the heap or in a
 * global. Field names are private; their meaning is documented in src/setjmp_capture.rs and
 * src/setjmp_lowered.rs.
 */
struct __jmp_buf_tag {
    unsigned int __magic;      /* which strategy set this buffer; 0 = never set */
    unsigned int __stack;      /* the stack the buffer was set on (its runtime header's address) */
    unsigned int __data_base;  /* capture: lowest address of the saved frames = stack pointer after setjmp */
    unsigned int __data_top;   /* capture: end of the saved frames (the Asyncify rewind position) */
    unsigned int __sum;        /* capture: checksum of the saved frames */
    unsigned int __id;         /* capture: identity shared with the validity record; lowering: the invocation serial (0: none) */
    unsigned int __aux[2];     /* capture: the caller's frame address, unused; lowering: the label and the invocation slot */
};

typedef struct __jmp_buf_tag jmp_buf[1];
/* WASI has no signals, so a sigjmp_buf needs no saved mask: it is the same type. */
typedef struct __jmp_buf_tag sigjmp_buf[1];

/*
 * setjmp - save the calling environment (C11 7.13.1.1).
 * Returns 0 when called directly; when a later longjmp(env, val) resumes it, returns val
 * (1 if val is 0). The saved environment stays valid until the function that called setjmp
 * returns (or until env is set again). Errors: if the shadow stack cannot hold the saved frames
 * the program ends with ASYNCIFY_RT_STATUS_STACK_EXHAUSTED (see <asyncify_rt.h>).
 * Non-volatile automatic variables of the caller that change between setjmp and longjmp have
 * their values from the setjmp call after the jump (C11 7.13.2.1p3 leaves them indeterminate).
 */
int setjmp(jmp_buf env) __attribute__((returns_twice));

/* _setjmp - as setjmp; on WASI there is no signal mask to leave alone (POSIX _setjmp). */
int _setjmp(jmp_buf env) __attribute__((returns_twice));

/* sigsetjmp - as setjmp; savemask is accepted and ignored, WASI having no signals (POSIX). */
int sigsetjmp(sigjmp_buf env, int savemask) __attribute__((returns_twice));

/*
 * longjmp - restore the environment saved by the most recent setjmp(env) (C11 7.13.2.1).
 * Does not return: the matching setjmp returns val, or 1 if val is 0. Memory (globals, heap,
 * volatile locals) keeps its latest values; the stack pointer is restored, so repeated
 * setjmp/longjmp round trips use constant stack.
 * Misuse ends the program with a one-line message on stderr and a status from <asyncify_rt.h>:
 *   env never set (or overwritten)           -> ASYNCIFY_RT_STATUS_BAD_JMPBUF   (121)
 *   the function that set env has returned    -> ASYNCIFY_RT_STATUS_DEAD_JMPBUF  (122)
 *   no room to unwind the current frames      -> ASYNCIFY_RT_STATUS_STACK_EXHAUSTED (123)
 *   env was set in another context            -> ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF (124)
 *   called outside main's call tree           -> ASYNCIFY_RT_STATUS_NO_ROOT (125)
 */
_Noreturn void longjmp(jmp_buf env, int val);

/* _longjmp - as longjmp (POSIX _longjmp). */
_Noreturn void _longjmp(jmp_buf env, int val);

/* siglongjmp - as longjmp; no signal mask is restored (POSIX siglongjmp). */
_Noreturn void siglongjmp(sigjmp_buf env, int val);

/*
 * __asyncify_rt_setjmp - what the setjmp, _setjmp and sigsetjmp macros below call.
 * `frame` is __builtin_frame_address(0) of the caller. Taking it makes clang save the stack
 * pointer on entry to the caller and restore it on return, even in a function that has no stack
 * frame of its own, so the frames setjmp saves below the caller's stack pointer are freed when the
 * caller returns (without it, a frameless caller would leave them allocated until an enclosing
 * function with a frame returns). Returns as setjmp. C11 7.13p3 allows setjmp to be a macro; the
 * functions above remain for `#undef setjmp`, for taking their address, and for objects compiled
 * against other headers.
 */
int __asyncify_rt_setjmp(jmp_buf env, void *frame) __attribute__((returns_twice));

#ifdef __ASYNCIFY_RT_LOWERED_SJLJ
/*
 * Compiled with LLVM's setjmp lowering (asyncify-cc's default, -mllvm -enable-emscripten-sjlj):
 * clang rewrites calls to `setjmp` and `_setjmp` itself, so they must stay calls to those names
 * (sigsetjmp is routed to them). setjmp then costs O(1); see src/setjmp_lowered.rs.
 */
#define sigsetjmp(env, savemask) setjmp(((void)(savemask), (env)))
#define siglongjmp(env, val) longjmp((env), (val))
#else
#define setjmp(env) __asyncify_rt_setjmp((env), __builtin_frame_address(0))
#define _setjmp(env) __asyncify_rt_setjmp((env), __builtin_frame_address(0))
#define sigsetjmp(env, savemask) __asyncify_rt_setjmp((env), ((void)(savemask), __builtin_frame_address(0)))
#endif

#ifdef __cplusplus
}
#endif

#endif /* _ASYNCIFY_RT_SETJMP_H */
