/*
 * main_argv.c - `int main(int argc, char **argv)`: arguments and environment reach the program.
 *
 * C11 5.1.2.2.1 (argc/argv) and 7.22.4.6 (getenv). Prints argc and argv[1..] (argv[0] is the
 * program name, which differs between runners, so it is not printed), then the value of the
 * environment variable ASYNCIFY_TEST_VAR, or "(unset)". A longjmp passes through a callee that
 * receives argv, and argv is printed again afterwards to check it survived.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

NOINLINE static void count_chars(int argc, char **argv)
{
    size_t total = 0;
    for (int i = 1; i < argc; i++)
        total += strlen(argv[i]);
    longjmp(env, (int)total + 1);
}

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);
    const char *v = getenv("ASYNCIFY_TEST_VAR");
    printf("ASYNCIFY_TEST_VAR=%s\n", v ? v : "(unset)");

    if (setjmp(env) == 0) {
        count_chars(argc, argv);
        puts("count_chars returned (wrong)");
    }
    printf("after jump: argc=%d last=[%s] argv[argc]=%s\n", argc, argv[argc - 1],
           argv[argc] == NULL ? "NULL" : "not NULL");
    return 0;
}
