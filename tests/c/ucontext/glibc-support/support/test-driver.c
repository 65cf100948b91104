/*
 * A minimal stand-in for glibc's support/test-driver.c, written for asyncify-rt's client tests
 * (tests/ucontext_clients.rs). glibc's test programs define `static int do_test (void)` and then
 * `#include <support/test-driver.c>`; this file supplies the main that runs it. No forking, no
 * timeout, no command-line options: the test's exit status is do_test's return value, or
 * whatever status the test passes to exit().
 */
int
main (void)
{
  return do_test ();
}
