/*
 * misuse_uninitialised.c - setcontext on a zero-filled ucontext_t that was never initialised.
 *                          (Not differential; wasm only.)
 *
 * <ucontext.h>: "A context never initialised ... ends the program with
 * ASYNCIFY_RT_STATUS_BAD_CONTEXT and a message on stderr" (mcontext_t: "Zero-filled means
 * never initialised"). Without arguments the context is a zero-filled global; with the argument
 * "stack" it is a memset-zeroed local. Expected stdout: "about to setcontext\n".
 */
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static ucontext_t never_set; /* zero-filled */

int main(int argc, char **argv)
{
    ucontext_t on_stack;
    memset(&on_stack, 0, sizeof on_stack);
    puts("about to setcontext");
    fflush(stdout);
    int r = setcontext(argc > 1 && strcmp(argv[1], "stack") == 0 ? &on_stack : &never_set);
    printf("setcontext returned %d (wrong)\n", r);
    return 0;
}
