/*
 * transparency - what happens inside a call made after a setjmp stays invisible to the caller.
 * Built by tests/sjlj_modes.rs with the two units in every combination of setjmp strategies;
 * the case of interest is unit1 lowered: its setjmp caller calls unit2 through an `invoke_*`
 * wrapper, and everything below happens inside that wrapper's call.
 *
 * For each of 3 rounds, unit1's run_round() sets an env and calls unit2's visit(), which:
 *   1. switches (swapcontext) to a generator context (unit1 code, with its own
 *      setjmp/longjmp) and back;
 *   2. scans its registers (asyncify_rt_scan_registers on WASI): a callback counts the words
 *      equal to a value that visit() holds only in a local (computed at run time, never stored
 *      in memory, not passed down), to one held in a local of run_round(), and to one that no
 *      frame holds; on WASI the first two must be seen and the third not (natively there is
 *      nothing to scan and the line is printed as expected);
 *   3. jumps to run_round's env from 3 frames further down, back through the same wrapper.
 * run_round then checks its volatile phase and its own local. Between rounds the generator has
 * advanced by one; after the rounds main jumps once more from unit2 to its own env.
 */
#ifndef TRANSPARENCY_SHARED_H
#define TRANSPARENCY_SHARED_H

#include <setjmp.h>
#include <ucontext.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

extern ucontext_t main_uc, gen_uc;
extern volatile unsigned secret_seed;

/* unit1 */
unsigned u1_secret(int round);
int u1_generated(void);

/* unit2 */
unsigned u2_secret(int round);
/* How often the scan of the running chain's locals saw u2_secret(round), u1_secret(round) and a
 * value no frame holds (WASI; natively 1, 1, 0). */
void u2_scan(int round, int seen[3]);
void u2_visit(jmp_buf env, int round);
void u2_dive_throw(jmp_buf env, int depth, int val);

#endif
