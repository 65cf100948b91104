/*
 * cross_jump - longjmp between two translation units that tests/sjlj_modes.rs compiles in every
 * combination of asyncify-cc's setjmp strategies (--asyncify-sjlj=lowered|capture), natively with
 * gcc as the reference. Each unit sets jmp_bufs that the other unit jumps to, from several frames
 * down in its own code, so with unit1 lowered and unit2 capture (and the reverse) every jump
 * crosses from one strategy to the other:
 *   1. env set in unit1, longjmp from unit2 N frames deep (N = 1, 5, 50, 1000);
 *   2. env set in unit2, longjmp from unit1 N frames deep;
 *   3. a chain of 300 frames alternating between the units, jump from the bottom;
 *   4. nested envs: unit1 sets an outer env, unit2 sets an inner one and calls unit1, which jumps
 *      first to the inner env, then past unit2's setjmp caller to the outer one (and the same
 *      with the units' roles swapped);
 *   5. longjmp(env, 0) returns 1; negative and large values;
 *   6. 10,000 round trips each way (constant stack);
 *   7. a qsort comparator in unit2 jumping to an env set in unit1 (libc frames in between);
 *   8. a jmp_buf that is a global of unit2 and one on the heap, set by unit1.
 * Volatile locals of the setjmp callers keep their latest values.
 */
#ifndef CROSS_JUMP_SHARED_H
#define CROSS_JUMP_SHARED_H

#include <setjmp.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

/* Defined in unit1. */
void u1_dive_throw(jmp_buf env, int depth, int val);
int u1_alternate(jmp_buf env, int depth, int val);
extern volatile unsigned long u1_sink;

/* Defined in unit2. */
void u2_dive_throw(jmp_buf env, int depth, int val);
int u2_alternate(jmp_buf env, int depth, int val);
int u2_catch(int depth, int val);
int u2_inner_then_outer(jmp_buf outer, int val);
int u2_outer(int val);
int u2_round_trips(int n);
int u2_sort_and_throw(jmp_buf env, int after);
extern jmp_buf u2_global_env;

#endif
