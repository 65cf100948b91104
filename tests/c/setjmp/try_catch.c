/*
 * try_catch.c - a try/catch macro layer on setjmp/longjmp, as interpreters build.
 *
 * C11 7.13. Handlers form a linked list (a stack) of frames, each holding a jmp_buf and a link to
 * the enclosing handler; THROW stores the exception and longjmps to the top handler; a CATCH
 * block that does not want the exception rethrows it to the next outer handler. Covered: no
 * throw; throw caught by the nearest handler; throw from deep inside calls; a handler that
 * rethrows to an outer one; a throw from inside a CATCH block; FINALLY-like cleanup counting; a
 * loop of 1,000 try blocks; and finally an uncaught exception, which prints and exits with 3.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

struct handler {
    jmp_buf env;
    struct handler *prev;
};

static struct handler *top_handler;
static int current_exception;
static int cleanups;

NOINLINE static void throw_exc(int code)
{
    if (top_handler == NULL) {
        printf("uncaught exception %d\n", code);
        exit(3);
    }
    current_exception = code;
    longjmp(top_handler->env, 1);
}

#define TRY                                      \
    {                                            \
        struct handler h_;                       \
        h_.prev = top_handler;                   \
        top_handler = &h_;                       \
        if (setjmp(h_.env) == 0) {
#define CATCH(e)                                 \
            top_handler = h_.prev;               \
        } else {                                 \
            top_handler = h_.prev;               \
            int e = current_exception;
#define END_TRY                                  \
        }                                        \
    }
#define RETHROW(e) throw_exc(e)

NOINLINE static int parse_digit(char c)
{
    if (c < '0' || c > '9')
        throw_exc(100 + c);
    return c - '0';
}

NOINLINE static int parse_number(const char *s)
{
    int v = 0;
    while (*s)
        v = v * 10 + parse_digit(*s++);
    return v;
}

NOINLINE static int deep(int n, int code)
{
    if (n == 0)
        throw_exc(code);
    return deep(n - 1, code) + 1;
}

/* catches only even codes; rethrows odd ones after counting a cleanup */
NOINLINE static int even_only(int code)
{
    volatile int result = -1;
    TRY {
        deep(20, code);
    } CATCH(e) {
        cleanups++;
        if (e % 2)
            RETHROW(e);
        result = e;
    } END_TRY
    return result;
}

int main(void)
{
    TRY {
        printf("no throw: %d\n", parse_number("1234"));
    } CATCH(e) {
        printf("wrong: caught %d\n", e);
    } END_TRY

    TRY {
        printf("wrong: parsed %d\n", parse_number("12x4"));
    } CATCH(e) {
        printf("caught bad digit, code %d\n", e);
    } END_TRY

    TRY {
        deep(500, 7);
    } CATCH(e) {
        printf("caught %d from 500 frames down\n", e);
    } END_TRY

    for (int code = 4; code <= 7; code++) {
        TRY {
            printf("even_only(%d) = %d\n", code, even_only(code));
        } CATCH(e) {
            printf("outer caught rethrown %d\n", e);
        } END_TRY
    }
    printf("cleanups: %d\n", cleanups);

    TRY {
        TRY {
            throw_exc(1);
        } CATCH(e) {
            printf("inner caught %d, throwing %d from the catch block\n", e, e + 1);
            throw_exc(e + 1);
        } END_TRY
    } CATCH(e) {
        printf("outer caught %d\n", e);
    } END_TRY

    volatile long sum = 0;
    for (int i = 0; i < 1000; i++) {
        TRY {
            if (i % 3 == 0)
                throw_exc(i);
            sum += 1;
        } CATCH(e) {
            sum += e;
        } END_TRY
    }
    printf("loop sum: %ld, handler stack %s\n", sum, top_handler ? "NOT empty" : "empty");

    printf("throwing with no handler...\n");
    deep(10, 42);
    puts("unreachable");
    return 0;
}
