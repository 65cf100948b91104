/* transparency, unit 2 (visit and the scan): see shared.h. */
#include <stdio.h>
#include <stdlib.h>
#include "shared.h"
#ifdef __wasi__
#include <asyncify_rt.h>
#endif

static volatile unsigned long sink;

NOINLINE unsigned u2_secret(int round)
{
    return (secret_seed ^ 0xbb67ae85u) * 2246822519u + (unsigned)round * 69069u;
}

NOINLINE void u2_dive_throw(jmp_buf env, int depth, int val)
{
    volatile int here = depth;
    if (depth > 1)
        u2_dive_throw(env, depth - 1, val);
    else
        longjmp(env, val);
    sink += (unsigned long)here; /* not reached */
}

/* The values looked for are kept masked in globals and unmasked only in the callback, which runs
 * below the spilled frames: so the only unmasked copies in the scanned range are the ones the
 * chain's own locals hold. Needle 2 is held by no frame (a control: it must not be seen). */
#define MASK 0x5bd1e995u
static unsigned masked[3];
static int hits[3];

NOINLINE static unsigned masked_secret(int which, int round)
{
    return (which == 0 ? u2_secret(round) : which == 1 ? u1_secret(round) : u2_secret(round + 1000)) ^ MASK;
}

#ifdef __wasi__
static void count(void *begin, void *end, void *user)
{
    (void)user;
    for (unsigned *p = begin; p + 1 <= (unsigned *)end; p++)
        for (int k = 0; k < 3; k++)
            if (*p == (masked[k] ^ MASK))
                hits[k]++;
}
#endif

NOINLINE void u2_scan(int round, int seen[3])
{
    for (int k = 0; k < 3; k++) {
        masked[k] = masked_secret(k, round);
        hits[k] = 0;
    }
#ifdef __wasi__
    asyncify_rt_scan_registers(count, 0);
#else
    hits[0] = hits[1] = 1; /* nothing to scan natively: the expected answer */
#endif
    for (int k = 0; k < 3; k++)
        seen[k] = hits[k];
}

NOINLINE void u2_visit(jmp_buf env, int round)
{
    unsigned secret = u2_secret(round); /* only ever in a local */
    int before = u1_generated(), seen[3];

    if (swapcontext(&main_uc, &gen_uc) != 0)
        exit(2);
    printf("round %d: generator went from %d to %d\n", round, before, u1_generated());
    u2_scan(round, seen);
    printf("round %d: scan saw visit's local: %s, run_round's local: %s, a value no frame holds: %s\n", round,
           seen[0] > 0 ? "yes" : "NO", seen[1] > 0 ? "yes" : "NO", seen[2] > 0 ? "YES" : "no");
    /* Keeps `secret` live across the switch and the scan. */
    u2_dive_throw(env, 3, 10 * round + (secret == u2_secret(round)));
}
