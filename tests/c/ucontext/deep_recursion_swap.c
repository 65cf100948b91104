/*
 * deep_recursion_swap.c - a context recurses 2,000 frames deep on a 256 KiB stack and swaps out
 * from the deepest frame; main runs, then swaps back and the recursion unwinds normally.
 *
 * POSIX swapcontext saves the whole activation chain of the context, however deep; resuming it
 * continues in the deepest frame with every frame's locals intact. Every frame keeps live values
 * across its recursive call (an accumulator and a local array on the context's stack) so the
 * frames cannot be folded. While the context is suspended, main recurses on its own stack (which
 * must not disturb the context's saved frames). Repeated at depths 2000, 1, 1000 and 2000 again,
 * swapping out twice at the deepest frame on the last run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define NOINLINE __attribute__((noinline))
#define STACK_SIZE (256 * 1024)

static ucontext_t main_uc, uc;
static volatile unsigned sink;
static int swaps_at_bottom;
static unsigned bottom_acc;
static int bad_frames;

NOINLINE static unsigned recurse(int n, unsigned acc)
{
    volatile unsigned char mark[8];
    for (int i = 0; i < 8; i++)
        mark[i] = (unsigned char)(n + i);
    if (n == 0) {
        bottom_acc = acc;
        for (int s = 0; s < swaps_at_bottom; s++)
            swapcontext(&uc, &main_uc);
        return acc;
    }
    unsigned r = recurse(n - 1, acc * 31u + (unsigned)n);
    for (int i = 0; i < 8; i++)
        if (mark[i] != (unsigned char)(n + i))
            bad_frames++;
    sink = r ^ acc;
    return r + (unsigned)n;
}

NOINLINE static unsigned main_side(int n)
{
    volatile unsigned char scratch[64];
    for (int i = 0; i < 64; i++)
        scratch[i] = (unsigned char)(n * i);
    if (n == 0)
        return 0;
    return main_side(n - 1) + scratch[n % 64];
}

static unsigned result;
static int done;

static void body(int depth)
{
    result = recurse(depth, 7u);
    done = 1;
}

int main(void)
{
    static const int depths[] = { 2000, 1, 1000, 2000 };
    char *stack = malloc(STACK_SIZE);
    for (int k = 0; k < 4; k++) {
        done = 0;
        swaps_at_bottom = k == 3 ? 2 : 1;
        getcontext(&uc);
        uc.uc_stack.ss_sp = stack;
        uc.uc_stack.ss_size = STACK_SIZE;
        uc.uc_link = &main_uc;
        makecontext(&uc, (void (*)(void))body, 1, depths[k]);
        int rounds = 0;
        while (!done) {
            swapcontext(&main_uc, &uc);
            rounds++;
            if (!done)
                printf("depth %d: suspended at the bottom, acc %u, main side %u\n", depths[k], bottom_acc,
                       main_side(500 + rounds));
        }
        printf("depth %d: finished after %d resumes, result %u, bad frames %d\n", depths[k], rounds, result,
               bad_frames);
    }
    free(stack);
    return 0;
}
