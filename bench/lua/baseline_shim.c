/*
 * setjmp/longjmp stand-ins for the baseline Lua build of the benchmark: Lua for WASI compiled
 * exactly like the asyncify-rt build (same objects, same <setjmp.h>), but linked without the
 * runtime and without the Asyncify pass. setjmp only ever "returns directly" (0); a longjmp
 * cannot be done, so it reports that and aborts. Scripts that raise a Lua error therefore fail
 * in the baseline, and only error-free scripts are compared.
 */
#include <stdio.h>
#include <stdlib.h>

struct __jmp_buf_tag;

/* What the setjmp/_setjmp/sigsetjmp macros of asyncify-rt's <setjmp.h> call. */
int __asyncify_rt_setjmp(struct __jmp_buf_tag *env, void *frame) {
    (void)env;
    (void)frame;
    return 0;
}

int setjmp(struct __jmp_buf_tag *env) {
    (void)env;
    return 0;
}

int _setjmp(struct __jmp_buf_tag *env) {
    (void)env;
    return 0;
}

static _Noreturn void cannot_longjmp(void) {
    fputs("baseline cannot longjmp\n", stderr);
    fflush(stderr);
    abort();
}

_Noreturn void _longjmp(struct __jmp_buf_tag *env, int val) {
    (void)env;
    (void)val;
    cannot_longjmp();
}

_Noreturn void longjmp(struct __jmp_buf_tag *env, int val) {
    (void)env;
    (void)val;
    cannot_longjmp();
}
