/*
 * in_context - cross-unit setjmp/longjmp inside made contexts (makecontext/swapcontext), with
 * the two units compiled in every combination of setjmp strategies by tests/sjlj_modes.rs (gcc
 * and glibc as the reference).
 *
 * Context A runs a unit1 function, context B a unit2 function; main (unit1) drives them:
 *   1. in A, env set in unit1, longjmp from 6 frames deep in unit2; in B the reverse;
 *   2. in A, env set in unit1, then unit2 code swaps out to main in the middle of the call;
 *      main runs B, which does the same with the units swapped; main resumes A, which jumps
 *      from unit2 frames to its env;
 *   3. still in A, env set by unit2 code, which calls unit1 code that switches directly to B
 *      (not to main): B resumes in the middle of its step 2 and jumps to its env, then sets a
 *      fresh env, jumps to it and switches back to A, whose unit1 code jumps to the unit2 env;
 *   4. 1,000 throws in each context;
 *   5. main's own env (set before the contexts ran) is jumped to from unit2 after both
 *      contexts finished (uc_link returned to main).
 * Volatile locals keep their latest values; exit status 3 comes from main.
 */
#ifndef IN_CONTEXT_SHARED_H
#define IN_CONTEXT_SHARED_H

#include <setjmp.h>
#include <ucontext.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

extern ucontext_t main_uc, a_uc, b_uc;

/* unit1 */
void u1_dive_throw(jmp_buf env, int depth, int val);
void u1_swap_then_throw(ucontext_t *self, ucontext_t *to, jmp_buf env, int val);
int u1_catch(int depth, int val);
void u1_ctx_a(void);

/* unit2 */
void u2_dive_throw(jmp_buf env, int depth, int val);
void u2_swap_then_throw(ucontext_t *self, ucontext_t *to, jmp_buf env, int val);
int u2_catch(int depth, int val);
int u2_catch_around_switch(void);
void u2_ctx_b(int arg);
int u2_throws(int n);

#endif
