/*
 * swapcontext_self.c - regression (issue 13, defect 3): swapcontext(&c, &c) saves c and resumes it
 * at once (returns 0), as POSIX and glibc do; it was rejected because the target was validated
 * before being saved.
 */
#include <stdio.h>
#include <ucontext.h>
static ucontext_t m, f;
static char stack[65536];
static void fn(void) {
  swapcontext(&f, &m);
  puts("f: resumed");
  swapcontext(&f, &f);               /* save f again and resume it: returns 0 */
  puts("f: after self-swap");
  swapcontext(&f, &m);
}
int main(void) {
  getcontext(&f);
  f.uc_stack.ss_sp = stack; f.uc_stack.ss_size = sizeof stack;
  makecontext(&f, fn, 0);
  swapcontext(&m, &f);
  swapcontext(&m, &f);
  puts("main: back");
  return 0;
}
