/*
 * swap_in_callback.c - a context suspends from inside a libc callback (a qsort comparator) and
 * from a call through a function pointer.
 *
 * POSIX swapcontext saves the whole chain, whatever code lies in it: here the context's chain
 * runs through qsort (libc) into the comparator, which swaps to main after every comparison;
 * main counts the comparisons and resumes it until the sort is done. Then a context whose
 * function calls through a table of function pointers suspends inside each of them. Native and
 * WASI qsort may compare in different orders, so only the sorted result and whether at least one
 * suspension happened are printed, never the count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (64 * 1024)

static ucontext_t main_uc, uc;
static long comparisons;
static int sorted;

static int cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    comparisons++;
    swapcontext(&uc, &main_uc);
    return (x > y) - (x < y);
}

static void sorter(void)
{
    int v[200];
    for (int i = 0; i < 200; i++)
        v[i] = (i * 7919) % 211 - 100;
    qsort(v, 200, sizeof v[0], cmp);
    unsigned sum = 0;
    int ok = 1;
    for (int i = 0; i < 200; i++) {
        sum = sum * 3 + (unsigned)v[i];
        if (i && v[i - 1] > v[i])
            ok = 0;
    }
    printf("sorted %d, first %d, last %d, checksum %u\n", ok, v[0], v[199], sum);
    sorted = 1;
}

NOINLINE static int op_add(int a, int b) { swapcontext(&uc, &main_uc); return a + b; }
NOINLINE static int op_mul(int a, int b) { swapcontext(&uc, &main_uc); return a * b; }
NOINLINE static int op_sub(int a, int b) { swapcontext(&uc, &main_uc); return a - b; }

static int (*const ops[])(int, int) = { op_add, op_mul, op_sub };

static void calculator(int start)
{
    int acc = start;
    for (int i = 0; i < 12; i++)
        acc = ops[i % 3](acc, i + 1);
    printf("calculator: %d\n", acc);
}

static char *stack;

static void make(void (*fn)(void), int argc, int arg)
{
    getcontext(&uc);
    stack = malloc(STACK_SIZE);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = STACK_SIZE;
    uc.uc_link = &main_uc;
    if (argc)
        makecontext(&uc, fn, 1, arg);
    else
        makecontext(&uc, fn, 0);
}

int main(void)
{
    make(sorter, 0, 0);
    long resumes = 0;
    while (!sorted) {
        swapcontext(&main_uc, &uc);
        resumes++;
    }
    printf("sort: resumed %s, one per comparison %d\n", resumes > 1 ? "many times" : "once",
           resumes == comparisons + 1);
    free(stack);

    make((void (*)(void))calculator, 1, 5);
    int n = 0;
    for (;;) {
        swapcontext(&main_uc, &uc);
        n++;
        if (n > 12)
            break;
        printf("suspended in op %d\n", n);
    }
    free(stack);
    return 0;
}
