/*
 * <ucontext.h> for WASI programs linked with asyncify-rt.
 *
 * Semantics: POSIX.1-2008 getcontext/setcontext/makecontext/swapcontext (XSI, as implemented by
 * glibc). Implementation: Binaryen's Asyncify transform. A context made by makecontext runs on its
 * own `uc_stack` as its shadow stack; when a context is suspended (swapcontext, getcontext) its
 * wasm frames are saved by an Asyncify unwind into its own stack, directly below its stack
 * pointer, and rewound from there when it resumes. The main context saves its frames on the main
 * stack the same way. No side buffers, no table of contexts, no limit on their number.
 *
 * Signals do not exist on WASI: `uc_sigmask` is accepted and never acted on.
 */
#ifndef _ASYNCIFY_RT_UCONTEXT_H
#define _ASYNCIFY_RT_UCONTEXT_H

#include <stddef.h>

#ifdef __wasm__
#define __NEED_sigset_t
#include <bits/alltypes.h> /* sigset_t, without <signal.h> (which needs _WASI_EMULATED_SIGNAL) */
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _ASYNCIFY_RT_STACK_T
#define _ASYNCIFY_RT_STACK_T
/* An alternate stack (POSIX <signal.h>); here only the stack of a made context. */
typedef struct sigaltstack {
    void *ss_sp;     /* lowest address of the stack */
    int ss_flags;    /* accepted, ignored */
    size_t ss_size;  /* size in bytes */
} stack_t;
#endif

/*
 * The runtime's bookkeeping of a context (opaque; meaning in src/context.rs). Zero-filled means
 * "never initialised".
 */
typedef struct {
    unsigned int __state;      /* what the context holds: 0 = nothing (never initialised) */
    unsigned int __kind;       /* a saved chain: 1 = saved by swapcontext (resumes once), 2 = by getcontext */
    unsigned int __self;       /* address of the ucontext_t that holds this, when saved */
    unsigned int __stack;      /* the stack the context runs on (its runtime header's address) */
    unsigned int __data_base;  /* saved chain: lowest address = the stack pointer to resume with */
    unsigned int __data_top;   /* saved chain: end (the Asyncify rewind position) */
    unsigned int __sum;        /* saved chain: checksum */
    unsigned int __id;         /* saved chain: identity shared with its record */
    unsigned int __fn;         /* made context: the function (a table index) */
    unsigned int __argc;       /* made context: number of int arguments */
    unsigned int __args;       /* made context: address of the arguments (on its stack) */
    unsigned int __frame;      /* saved by getcontext: the caller's frame address */
    unsigned int __reserved[4];
} mcontext_t;

/* A user context (POSIX). 88 bytes on wasm32 (wasi-libc's sigset_t is 1 byte). */
typedef struct ucontext_t {
    unsigned long uc_flags;       /* unused, kept for source compatibility */
    struct ucontext_t *uc_link;   /* resumed when the function of a made context returns; NULL: exit(0) */
    stack_t uc_stack;             /* the stack makecontext runs the function on */
    mcontext_t uc_mcontext;       /* opaque runtime state */
#ifdef __wasm__
    sigset_t uc_sigmask;          /* accepted, not acted on (WASI has no signals) */
#else
    unsigned long uc_sigmask[128 / sizeof(long)];
#endif
} ucontext_t;

/* Smallest uc_stack.ss_size makecontext accepts, in bytes (the runtime's stack header, the
 * arguments and room for a few frames). Real contexts want several KiB: the frames a suspended
 * context saves live on its own stack. */
#define ASYNCIFY_RT_MIN_CONTEXT_STACK 1024

/*
 * getcontext - save the calling context in *ucp (POSIX).
 * Returns 0. When the context is later resumed with setcontext or swapcontext, getcontext returns
 * 0 again (so programs keep a flag in memory to tell the two returns apart). The saved frames live
 * below the caller's stack pointer until the caller returns. Errors: -1 with errno EINVAL for a
 * NULL ucp; exhausting the stack ends the program with ASYNCIFY_RT_STATUS_STACK_EXHAUSTED.
 */
int getcontext(ucontext_t *ucp) __attribute__((returns_twice));

/*
 * __asyncify_rt_getcontext - what the getcontext macro below calls; returns as getcontext.
 * `frame` is __builtin_frame_address(0) of the caller. Taking it makes clang save the stack pointer
 * on entry to the caller and restore it on return, even in a function with no stack frame of its
 * own, so the frames getcontext saves below the caller's stack pointer are freed when the caller
 * returns: a small helper that calls getcontext for one context of many uses no stack once it
 * returned. The runtime also records it to tell a capture it may replace in place from a stale one
 * (see src/core/capture.rs). C11 7.1.4 allows a library function to be a macro as well; the
 * function remains for `#undef getcontext`, for taking its address, and for other headers.
 */
int __asyncify_rt_getcontext(ucontext_t *ucp, void *frame) __attribute__((returns_twice));
#define getcontext(ucp) __asyncify_rt_getcontext((ucp), __builtin_frame_address(0))

/*
 * setcontext - resume the context *ucp (POSIX): a context saved by getcontext or swapcontext, or
 * made by makecontext and not yet finished. Does not return on success. Errors: -1 with errno
 * EINVAL for a NULL ucp or a context made with an invalid stack. A context never initialised, one
 * whose function has returned, one saved by getcontext whose saved frames were overwritten, and one
 * saved by swapcontext that was already resumed or whose saved frames were overwritten since
 * (by another context saved on that stack) end the program with ASYNCIFY_RT_STATUS_BAD_CONTEXT (120) and a
 * message on stderr.
 */
int setcontext(const ucontext_t *ucp);

/*
 * makecontext - set *ucp up to call func(args...) on ucp->uc_stack (POSIX). argc int arguments
 * follow (0 to ASYNCIFY_RT_MAX_CONTEXT_ARGS); func is called through a pointer of the matching
 * type, `void (*)(int, ..., int)`. ucp should have been initialised by getcontext (as POSIX
 * requires) but need not be. When func returns, the context uc_link points to is resumed; if it
 * is NULL the process exits with status 0 after flushing stdio (atexit handlers run).
 * Errors: a stack smaller than ASYNCIFY_RT_MIN_CONTEXT_STACK, a NULL ss_sp or argc out of range
 * set errno to EINVAL and leave ucp unusable (setcontext/swapcontext on it then fail with EINVAL).
 * A context may be made again after its function returned.
 */
void makecontext(ucontext_t *ucp, void (*func)(void), int argc, ...);

/*
 * swapcontext - save the calling context in *oucp and resume *ucp (POSIX). Returns 0 when *oucp
 * is resumed later. Errors: -1 with errno EINVAL for NULL pointers or a context made with an
 * invalid stack (nothing is saved then); other misuse as for setcontext.
 */
int swapcontext(ucontext_t *__restrict oucp, const ucontext_t *__restrict ucp) __attribute__((returns_twice));

/* Largest argc makecontext accepts. */
#define ASYNCIFY_RT_MAX_CONTEXT_ARGS 64

#ifdef __cplusplus
}
#endif

#endif /* _ASYNCIFY_RT_UCONTEXT_H */
