/*
 * qsort_callback.c - longjmp out of a qsort comparator (a libc callback).
 *
 * C11 7.22.5.2 (qsort) and 7.13.2.1 lets longjmp leave any chain of active calls,
 * including frames belonging to the C library (qsort). The comparator jumps when it meets a
 * "poison" element; which comparison that is depends on the qsort algorithm, so only the fact of
 * the jump is counted. Afterwards libc must still work: a full sort of the same
 * data is printed, and the abort-by-longjmp is repeated many times.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static int poison;

static int cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (x == poison || y == poison)
        longjmp(env, 2);
    return (x > y) - (x < y);
}

static void fill(int *v, int n, unsigned seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int)((seed >> 16) % 1000u) + 1;
    }
}

int main(void)
{
    int v[64];
    volatile int jumps = 0;
    volatile int round;
    for (round = 0; round < 200; round++) {
        fill(v, 64, (unsigned)round);
        poison = v[(round * 7) % 64];
        switch (setjmp(env)) {
        case 0:
            qsort(v, 64, sizeof v[0], cmp);
            puts("qsort returned without meeting poison (wrong)");
            break;
        case 2:
            jumps++;
            break;
        default:
            printf("round %d: unexpected setjmp value\n", round);
            break;
        }
    }
    printf("jumped out of qsort %d times\n", jumps);

    poison = -1;
    fill(v, 64, 12345u);
    qsort(v, 64, sizeof v[0], cmp);
    for (int i = 0; i < 64; i++)
        printf("%d%c", v[i], i % 16 == 15 ? '\n' : ' ');
    return 0;
}
