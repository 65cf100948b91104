/* asyncify-fuzz prelude: the helpers every generated case uses. Cases run one after the other
 * in one process, so all state here is reset by fz_case_begin. Everything printed is
 * deterministic (no addresses, no libc-dependent orders), so native glibc is the oracle. */
#include <alloca.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#ifdef __wasm__
#include <asyncify_rt.h>
#endif

#define FZ_MAXCTX 8          /* the main context (0) and up to 7 made contexts */
#define FZ_MAXREG 64         /* live jump targets per context */
#define FZ_MAXD 8            /* call depth bound (depth parameters are 0..FZ_MAXD-1) */
#define FZ_STACK (192 * 1024) /* the made contexts' stacks */

/* A live jump target of the running context: a jmp_buf set by setjmp (0), _setjmp (1),
 * sigsetjmp (2) or a ucontext_t saved by getcontext (3), whose function is still running. */
typedef struct { int kind; void *p; } fz_reg_t;
static fz_reg_t fz_reg[FZ_MAXCTX][FZ_MAXREG];
static int fz_nreg[FZ_MAXCTX];
static int fz_cur;            /* the running context */
static int fz_budget;         /* jumps (longjmp/setcontext) left in this case */
static int fz_groups;         /* context groups left in this case */
static int fz_exits;          /* exit() calls allowed in this case */
static unsigned fz_rs;        /* the case's PRNG state */
static int fz_vals[8];        /* longjmp values of this case */
static int fz_nvals;
static int fz_calls[FZ_MAXCTX]; /* calls left to each context in this case */
static int fz_co_calls;       /* calls given to a made context when it starts */
/* Whether a call at depth d may happen (and count it). */
#define FZ_CALL_OK(d) ((d) > 0 && fz_calls[fz_cur] > 0 && (fz_calls[fz_cur]--, 1))

/* Contexts. */
enum { FZ_NONE, FZ_NEW, FZ_LINKONLY, FZ_RUN, FZ_SUSP, FZ_DONE };
static ucontext_t fz_uc[FZ_MAXCTX];
static ucontext_t fz_sched;   /* main, suspended while any made context runs */
static ucontext_t fz_back;    /* main's getcontext point that finished contexts may link to */
static ucontext_t fz_self;    /* main's self swap */
static int fz_state[FZ_MAXCTX];
static int fz_group;          /* a context group is running */
static int fz_rr;             /* round-robin cursor */
static char fz_stacks[FZ_MAXCTX][FZ_STACK] __attribute__((aligned(16)));

/* Jump targets kept in globals shared by every site: indexed by context and registry level, so
 * live targets never share one, while successive (dead and live) targets at the same level do. */
static jmp_buf fz_envpool[FZ_MAXCTX][FZ_MAXREG];
static sigjmp_buf fz_senvpool[FZ_MAXCTX][FZ_MAXREG];
static ucontext_t fz_ucpool[FZ_MAXCTX][FZ_MAXREG];

/* Per-context state of the qsort/bsearch callback sites (indexed by fz_cur). */
static int fz_cmp_armed[FZ_MAXCTX][64], fz_cmp_d[FZ_MAXCTX][64];
static unsigned fz_cmp_acc[FZ_MAXCTX][64], fz_cmp_res[FZ_MAXCTX][64];

static unsigned fz_rng(void) {
    fz_rs = fz_rs * 1103515245u + 12345u;
    return (fz_rs >> 8) ^ (fz_rs << 13);
}

static void fz_case_begin(unsigned seed, int budget, int groups, int exits, int nvals, const int *vals, int calls) {
    fz_calls[0] = calls;
    fz_co_calls = calls / 3;
    fz_rs = seed;
    fz_budget = budget;
    fz_groups = groups;
    fz_exits = exits;
    fz_nvals = nvals;
    for (int i = 0; i < nvals; i++) fz_vals[i] = vals[i];
    fz_cur = 0;
    memset(fz_nreg, 0, sizeof fz_nreg);
    memset(fz_state, 0, sizeof fz_state);
    fz_group = 0;
    fz_rr = 0;
}

/* Mixing helpers (unsigned arithmetic: no overflow). */
static unsigned fz_mix(unsigned a, unsigned b) { return (a ^ (b + 0x9e3779b9u + (a << 6) + (a >> 2))) * 2654435761u; }
struct fz_pair { int a; long long b; };
typedef unsigned char uchar;
typedef long long ll;
typedef double dbl;
typedef struct fz_pair pair;
/* To and from the unsigned accumulator (functions: arguments are evaluated once). */
static unsigned FZ_U_int(int x) { return (unsigned)x; }
static unsigned FZ_U_short(short x) { return (unsigned)(int)x; }
static unsigned FZ_U_uchar(uchar x) { return x; }
static unsigned FZ_U_ll(ll x) { unsigned long long u = (unsigned long long)x; return (unsigned)(u ^ (u >> 32)); }
static unsigned FZ_U_dbl(dbl x) { return (unsigned)(ll)(x * 4.0); }
static unsigned FZ_U_pair(pair x) { return (unsigned)x.a ^ FZ_U_ll(x.b); }
static int FZ_T_int(unsigned u) { return (int)u; }
static short FZ_T_short(unsigned u) { return (short)u; }
static uchar FZ_T_uchar(unsigned u) { return (uchar)u; }
static ll FZ_T_ll(unsigned u) { return (ll)u * 3 - 7; }
static dbl FZ_T_dbl(unsigned u) { return (dbl)(u % 100003u) / 4.0; }
static pair FZ_T_pair(unsigned u) { pair p = { (int)u, (ll)u * 5 }; return p; }

/* Jump to live target i of the running context with value v. */
#define FZ_JUMP(i, v) do { \
    fz_reg_t *r_ = &fz_reg[fz_cur][(i)]; \
    switch (r_->kind) { \
    case 0: longjmp(*(jmp_buf *)r_->p, (v)); \
    case 1: _longjmp(*(jmp_buf *)r_->p, (v)); \
    case 2: siglongjmp(*(sigjmp_buf *)r_->p, (v)); \
    default: setcontext((ucontext_t *)r_->p); \
    } \
} while (0)

/* Register target p of kind k at level lvl of context me (and drop everything above). */
#define FZ_PUSH(me, lvl, k, ptr) do { fz_reg[me][lvl].kind = (k); fz_reg[me][lvl].p = (ptr); fz_nreg[me] = (lvl) + 1; } while (0)

/* A made context gives control back to main. */
#define FZ_YIELD(tag) do { if (fz_cur != 0) { \
    int me_ = fz_cur; printf("yield %d %d\n", me_, (tag)); \
    fz_state[me_] = FZ_SUSP; fz_cur = 0; \
    int r_ = swapcontext(&fz_uc[me_], &fz_sched); \
    fz_cur = me_; fz_state[me_] = FZ_RUN; \
    if (r_) printf("swapcontext returned %d\n", r_); } } while (0)

/* Switch from the running context to made context k (new or suspended). */
#define FZ_RESUME(k) do { \
    int fzr_me = fz_cur, fzr_k = (k); \
    if (fzr_me != 0) fz_state[fzr_me] = FZ_SUSP; \
    fz_cur = fzr_k; \
    int fzr_r = swapcontext(fzr_me == 0 ? &fz_sched : &fz_uc[fzr_me], &fz_uc[fzr_k]); \
    fz_cur = fzr_me; \
    if (fzr_r) printf("swapcontext returned %d\n", fzr_r); \
    if (fzr_me != 0) fz_state[fzr_me] = FZ_RUN; } while (0)

/* A made context switches directly to another runnable one (if any). */
#define FZ_TRANSFER(tag) do { if (fz_cur != 0) { \
    int fzt_tn = 0, fzt_tc[FZ_MAXCTX]; \
    for (int fzt_tj = 1; fzt_tj < FZ_MAXCTX; fzt_tj++) \
        if (fzt_tj != fz_cur && (fz_state[fzt_tj] == FZ_NEW || fz_state[fzt_tj] == FZ_SUSP)) fzt_tc[fzt_tn++] = fzt_tj; \
    if (fzt_tn) { int fzt_t = fzt_tc[fz_rng() % fzt_tn]; printf("transfer %d->%d %d\n", fz_cur, fzt_t, (tag)); FZ_RESUME(fzt_t); } } } while (0)

/* swapcontext(&c, &c): saves and resumes at once (returns 0). */
#define FZ_SELFSWAP(tag) do { \
    int me_ = fz_cur; \
    int r_ = swapcontext(me_ == 0 ? &fz_self : &fz_uc[me_], me_ == 0 ? &fz_self : &fz_uc[me_]); \
    fz_cur = me_; printf("selfswap %d %d\n", r_, (tag)); } while (0)

/* The next made context main should run, or -1. */
static int fz_pick(void) {
    for (int i = 0; i < FZ_MAXCTX - 1; i++) {
        int k = 1 + (fz_rr + i) % (FZ_MAXCTX - 1);
        if (fz_state[k] == FZ_NEW || fz_state[k] == FZ_SUSP) { fz_rr = k % (FZ_MAXCTX - 1); return k; }
    }
    return -1;
}

/* Scans: the sentinel is a local of the caller; the callback looks for fz_key ^ FZ_MASK, so the
 * value itself is nowhere else in memory that is scanned. */
#define FZ_MASK 0x5bd1e995u
static volatile unsigned fz_key;
static volatile unsigned fz_sink;
static __attribute__((noinline)) void fz_use(unsigned s) { fz_sink ^= s; }
static volatile int fz_found;
static __attribute__((noinline)) void fz_search(void *begin, void *end) {
    unsigned want = fz_key ^ FZ_MASK;
    unsigned *p = (unsigned *)(((unsigned long)begin + 3) & ~(unsigned long)3);
    for (; p + 1 <= (unsigned *)end; p++)
        if (*p == want) { fz_found = 1; return; }
}
#ifdef __wasm__
static void fz_scan_cb(void *begin, void *end, void *user) { (void)user; fz_search(begin, end); }
/* What a conservative collector does: the spilled wasm locals, then the shadow stack. */
static __attribute__((noinline)) int fz_scan(void) {
    fz_found = 0;
    asyncify_rt_scan_registers(fz_scan_cb, 0);
    if (!fz_found) asyncify_rt_scan_stack(fz_scan_cb, 0);
    return fz_found;
}
#else
/* The native stand-in, a real check too: spill the callee-saved registers with getcontext (as
 * Boehm GC does on Linux), then search from that spill area to the top of the running stack (the
 * made context's stack, or main's frame). */
static char *fz_main_top;
static __attribute__((noinline)) int fz_scan(void) {
    ucontext_t uc;
    fz_found = 0;
    getcontext(&uc);
    char *lo = (char *)&uc;
    char *hi = fz_cur ? fz_stacks[fz_cur] + FZ_STACK : fz_main_top;
    fz_search(lo, hi);
    return fz_found;
}
#endif

/* The made context's entry glue: the bodies are generated. */
#define FZ_CO_BEGIN(id) do { fz_cur = (id); fz_state[(id)] = FZ_RUN; fz_nreg[(id)] = 0; fz_calls[(id)] = fz_co_calls; } while (0)
#define FZ_CO_END(id) do { fz_state[(id)] = FZ_DONE; } while (0)
