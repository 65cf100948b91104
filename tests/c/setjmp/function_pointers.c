/*
 * function_pointers.c - longjmp through calls made via function pointers.
 *
 * C11 7.13.2.1: the chain of calls between setjmp and longjmp may include indirect calls
 * (C11 6.5.2.2 calls through pointers). A dispatcher runs commands from a table of handlers;
 * some handlers return, some jump with a status, some call another handler through a pointer
 * passed as an argument which then jumps. Handler signatures vary (void, int, pointer
 * arguments) so several indirect-call types are exercised.
 */
#include <setjmp.h>
#include <stdio.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;

typedef int (*handler_fn)(int arg);
typedef void (*callback_fn)(const char *why, int code);

static void fail(const char *why, int code)
{
    printf("  fail(%s, %d)\n", why, code);
    longjmp(env, code);
}

static int h_double(int arg) { return arg * 2; }
static int h_check(int arg)
{
    if (arg < 0)
        fail("negative", 10);
    return arg;
}
static int h_abort(int arg)
{
    longjmp(env, 20 + arg);
}
static int h_chain(int arg)
{
    callback_fn cb = fail;
    if (arg > 2)
        cb("chain", 30);
    return arg + 100;
}

static const struct { const char *name; handler_fn fn; } table[] = {
    { "double", h_double },
    { "check", h_check },
    { "abort", h_abort },
    { "chain", h_chain },
};

NOINLINE static int dispatch(int which, int arg)
{
    handler_fn f = table[which].fn;
    return f(arg);
}

NOINLINE static int run_via(int (*runner)(int, int), int which, int arg)
{
    return runner(which, arg) + 1;
}

int main(void)
{
    static const int cmds[][2] = {
        { 0, 5 }, { 1, 3 }, { 1, -1 }, { 2, 1 }, { 2, 4 }, { 3, 1 }, { 3, 7 }, { 0, -6 },
    };
    volatile int i;
    for (i = 0; i < (int)(sizeof cmds / sizeof cmds[0]); i++) {
        int which = cmds[i][0], arg = cmds[i][1];
        printf("%s(%d):\n", table[which].name, arg);
        switch (setjmp(env)) {
        case 0:
            printf("  returned %d\n", run_via(dispatch, which, arg));
            break;
        case 10: puts("  caught 10"); break;
        case 21: puts("  caught 21"); break;
        case 24: puts("  caught 24"); break;
        case 30: puts("  caught 30"); break;
        default: puts("  caught unexpected value"); break;
        }
    }
    return 0;
}
