/*
 * suspended_in_invoke - made contexts suspended in the middle of calls made after a setjmp, and
 * resumed later, in another order. Built by tests/sjlj_modes.rs with the two units in every
 * combination of setjmp strategies; the case of interest is unit1 lowered, where every such call
 * goes through an `invoke_*` wrapper that is live while the context is suspended.
 *
 * Three workers (made contexts running unit1's worker(id)) each:
 *   1. set an env, call unit2's pause(), which suspends the worker (back to main) and returns
 *      normally when resumed; the worker continues after the wrapped call;
 *   2. call unit2's pause_then_throw(), which suspends and, when resumed, jumps to the env from
 *      4 frames down;
 *   3. call unit1's nested() (a second setjmp caller, itself wrapped) which calls
 *      pause_then_throw() with the *outer* env: the jump passes nested()'s frame (whose wrapper
 *      sees a jump that is not for it and passes it on) and lands in the worker.
 * Between resumptions main sets its own env and is jumped to from unit2, and resumes the
 * workers in rotating orders, so each is suspended while the others run. Volatile locals keep
 * their latest values; each worker returns through uc_link to main.
 */
#ifndef SUSPENDED_IN_INVOKE_SHARED_H
#define SUSPENDED_IN_INVOKE_SHARED_H

#include <setjmp.h>
#include <ucontext.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

#define WORKERS 3
extern ucontext_t main_uc, worker_uc[WORKERS];

/* unit2 */
int u2_pause(int id, int tag);
void u2_pause_then_throw(int id, jmp_buf env, int val);
void u2_dive_throw(jmp_buf env, int depth, int val);

#endif
