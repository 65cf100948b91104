/*
 * env_on_heap.c - jmp_buf inside malloc'd memory.
 *
 * C11 7.13 and 7.22.3: a jmp_buf may be a member of an allocated object. A malloc'd "session"
 * struct holds an env and some data; callees reach it only through the heap pointer and jump to
 * it. Several sessions are allocated (a linked list), each jumped to, and freed; the heap must be
 * intact afterwards (data fields checked, and new allocations still succeed).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

struct session {
    char name[16];
    jmp_buf on_error;
    int errors;
    struct session *next;
};

NOINLINE static void work(struct session *s, int step)
{
    if (step % 3 == 2) {
        s->errors++;
        longjmp(s->on_error, step);
    }
}

NOINLINE static int run_session(struct session *s)
{
    volatile int step;
    volatile int done = 0;
    for (step = 0; step < 10; step++) {
        if (setjmp(s->on_error) == 0) {
            work(s, step);
            done++;
        }
    }
    return done;
}

int main(void)
{
    struct session *head = NULL;
    for (int i = 0; i < 5; i++) {
        struct session *s = malloc(sizeof *s);
        if (!s)
            return 99;
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "session-%d", i);
        s->next = head;
        head = s;
    }
    for (struct session *s = head; s; s = s->next) {
        int done = run_session(s);
        printf("%s: %d steps done, %d errors\n", s->name, done, s->errors);
    }

    /* a single env jumped to from three calls deep, via the heap object only */
    struct session *t = calloc(1, sizeof *t);
    if (setjmp(t->on_error) == 0) {
        work(t, 5);
        puts("work returned (wrong)");
    } else {
        printf("heap env caught, errors=%d\n", t->errors);
    }
    free(t);

    while (head) {
        struct session *n = head->next;
        free(head);
        head = n;
    }
    char *p = malloc(1 << 20);
    printf("allocation after: %s\n", p ? "ok" : "failed");
    free(p);
    return 0;
}
