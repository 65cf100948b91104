/*
 * wasi_einval.c - the errors <ucontext.h> reports with -1 and errno EINVAL.
 *                 (Not differential: glibc accepts tiny stacks and crashes on NULL; wasm only,
 *                 the expected stdout is in tests/ucontext.rs.)
 *
 * <ucontext.h>: makecontext with a stack smaller than ASYNCIFY_RT_MIN_CONTEXT_STACK, a NULL ss_sp
 * or argc out of range (0..ASYNCIFY_RT_MAX_CONTEXT_ARGS) sets errno to EINVAL and leaves ucp
 * unusable: setcontext/swapcontext on it fail with -1/EINVAL, and swapcontext then saves nothing
 * (oucp is left untouched). getcontext, setcontext and swapcontext fail with -1/EINVAL for NULL
 * pointers. A stack of exactly ASYNCIFY_RT_MIN_CONTEXT_STACK bytes is accepted and runs a
 * function that needs no stack of its own; a context that failed to be made can be made again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static ucontext_t main_uc, uc;
static char stack[64 * 1024];
static volatile int ran;

static void trivial(void)
{
    ran++;
}

/* The one-argument function: a made function is called through a pointer of its exact type. */
static void trivial1(int a)
{
    ran += a;
}

/* errno after a call: only EINVAL matters (errno after a successful call is unspecified). */
static const char *err(int e)
{
    return e == EINVAL ? "EINVAL" : "not EINVAL";
}

/* Makes uc with the given stack and argc; reports makecontext's errno. */
static void make(const char *what, void *sp, size_t size, int argc)
{
    getcontext(&uc);
    uc.uc_stack.ss_sp = sp;
    uc.uc_stack.ss_size = size;
    uc.uc_link = &main_uc;
    errno = 0;
    if (argc == 0)
        makecontext(&uc, trivial, 0);
    else if (argc == 1)
        makecontext(&uc, (void (*)(void))trivial1, 1, 1);
    else if (argc == 65)
        makecontext(&uc, trivial, 65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                    22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,
                    46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65);
    else
        makecontext(&uc, trivial, argc);
    int e = errno;
    printf("%s: makecontext errno %s\n", what, err(e));
}

/* Tries to run uc, which must fail: swapcontext and setcontext return -1/EINVAL, oucp intact. */
static void must_fail(const char *what)
{
    ucontext_t saved;
    memset(&main_uc, 0xab, sizeof main_uc);
    memcpy(&saved, &main_uc, sizeof saved);
    errno = 0;
    int r = swapcontext(&main_uc, &uc);
    int e = errno;
    printf("%s: swapcontext %d errno %s, oucp %s\n", what, r, err(e),
           memcmp(&saved, &main_uc, sizeof saved) == 0 ? "untouched" : "modified");
    errno = 0;
    r = setcontext(&uc);
    e = errno;
    printf("%s: setcontext %d errno %s\n", what, r, err(e));
}

int main(void)
{
    make("stack MIN-1", stack, ASYNCIFY_RT_MIN_CONTEXT_STACK - 1, 0);
    must_fail("stack MIN-1");
    make("stack 0", stack, 0, 0);
    must_fail("stack 0");
    make("NULL ss_sp", NULL, sizeof stack, 0);
    must_fail("NULL ss_sp");
    make("argc 65", stack, sizeof stack, 65);
    must_fail("argc 65");
    make("argc -1", stack, sizeof stack, -1);
    must_fail("argc -1");

    int r, e;
    errno = 0;
    r = getcontext(NULL);
    e = errno;
    printf("getcontext(NULL) %d errno %s\n", r, err(e));
    errno = 0;
    r = setcontext(NULL);
    e = errno;
    printf("setcontext(NULL) %d errno %s\n", r, err(e));
    errno = 0;
    r = swapcontext(NULL, &uc);
    e = errno;
    printf("swapcontext(NULL, &uc) %d errno %s\n", r, err(e));
    errno = 0;
    r = swapcontext(&main_uc, NULL);
    e = errno;
    printf("swapcontext(&main_uc, NULL) %d errno %s\n", r, err(e));

    /* Exactly the minimum, at the top of the buffer: accepted and runnable. */
    make("stack MIN", stack + sizeof stack - ASYNCIFY_RT_MIN_CONTEXT_STACK, ASYNCIFY_RT_MIN_CONTEXT_STACK, 0);
    r = swapcontext(&main_uc, &uc);
    printf("stack MIN: swapcontext %d, ran %d\n", r, ran);

    /* The failed-to-make context made again properly. */
    make("stack MIN-1 again", stack, ASYNCIFY_RT_MIN_CONTEXT_STACK - 1, 1);
    make("remade", stack, sizeof stack, 1);
    r = swapcontext(&main_uc, &uc);
    printf("remade: swapcontext %d, ran %d\n", r, ran);
    return 0;
}
