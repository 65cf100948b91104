/*
 * getcontext_helper_many.c - regression (issue 13, defect 4): 200,000 contexts initialised by a
 * small helper that calls getcontext. The helper has no stack frame at -O2; the getcontext macro
 * of <ucontext.h> gives it one, so each capture is freed when the helper returns and the stack
 * does not grow. Expected: "initialised 200000 contexts", exit 0.
 */
/* README: "a loop calling getcontext for many contexts in one function uses stack per iteration
 * (call it from a small helper function)". The helper below has no shadow-stack frame at -O2, so
 * its capture is never freed: the stack still grows per iteration. */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

__attribute__((noinline)) static void init_one(ucontext_t *u) { getcontext(u); }

int main(void) {
    int n = 200000;
    ucontext_t *ctx = malloc(n * sizeof *ctx);
    for (int i = 0; i < n; i++)
        init_one(&ctx[i]);          /* the recommended helper */
    printf("initialised %d contexts\n", n);
    return 0;
}
