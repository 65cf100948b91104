/*
 * bsearch_callback.c - longjmp out of a bsearch comparator (a libc callback).
 *
 * C11 7.22.5.1 (bsearch) and 7.13.2.1 (longjmp leaving library frames). The comparator jumps
 * when the element it is given equals the key: any correct bsearch must compare the key with the
 * matching element before it can report it, so the jump is certain whatever the search order;
 * the comparator records the matching element's index (from the element pointer) and jumps
 * with the value 3.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static int table[100];
static int jump_on_match;
static int match_index = -1;

static int cmp(const void *key, const void *elem)
{
    int k = *(const int *)key, e = *(const int *)elem;
    if (jump_on_match && k == e) {
        match_index = (int)((const int *)elem - table);
        longjmp(env, 3);
    }
    return (k > e) - (k < e);
}

int main(void)
{
    for (int i = 0; i < 100; i++)
        table[i] = i * 3 + 1;
    jump_on_match = 1;
    volatile int key;
    volatile int found = 0, missing = 0;
    for (key = 0; key < 310; key += 7) {
        int k = key;
        switch (setjmp(env)) {
        case 0:
            if (bsearch(&k, table, 100, sizeof table[0], cmp) == NULL)
                missing++;
            else
                puts("bsearch returned a match (wrong: should have jumped)");
            break;
        case 3:
            found++;
            printf("key %d at index %d\n", key, match_index);
            break;
        default:
            puts("unexpected setjmp value");
            break;
        }
    }
    printf("found %d, missing %d\n", found, missing);

    jump_on_match = 0;
    int k = 94;
    int *p = bsearch(&k, table, 100, sizeof table[0], cmp);
    printf("plain bsearch for 94: index %d\n", p ? (int)(p - table) : -1);
    return 0;
}
