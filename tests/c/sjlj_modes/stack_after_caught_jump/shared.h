/*
 * stack_after_caught_jump - repeated setjmp/longjmp round trips use constant stack, whatever
 * happens between the setjmp and the longjmp. Built by tests/sjlj_modes.rs with the two units in
 * every combination of setjmp strategies.
 *
 * unit1's loop sets an env and calls a unit2 function that, before jumping back from a frame
 * further down, does one of:
 *   plain     nothing else;
 *   scan      asyncify_rt_scan_registers (WASI; natively nothing), which unwinds the whole chain
 *             and rewinds it;
 *   setjmp    a setjmp/longjmp round trip of its own (in capture mode: a capture, i.e. an unwind
 *             and a rewind of the whole chain);
 *   swap      a swapcontext round trip to another context.
 * After 1,000 iterations of each, the frame address of a probe function called from the loop
 * must be where it was after the first: the stack pointer the setjmp caller continues with after
 * a caught jump is the one it had before the call. (With unit1 lowered, the call goes through an
 * `invoke_*` wrapper, which catches the jump and restores the stack pointer it saw on entry; an
 * unwind-and-rewind in between re-enters the wrapper.)
 */
#ifndef STACK_AFTER_CAUGHT_JUMP_SHARED_H
#define STACK_AFTER_CAUGHT_JUMP_SHARED_H

#include <setjmp.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noinline, noclone))
#else
#define NOINLINE __attribute__((noinline))
#endif

enum what { PLAIN, SCAN, SETJMP, SWAP, WHATS };

/* unit2 */
void u2_init(void);
void u2_then_jump(enum what what, jmp_buf env, int val);

#endif
