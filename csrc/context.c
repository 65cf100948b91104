/*
 * The C side of <ucontext.h>: makecontext's variadic arguments (Rust has no stable variadic
 * definitions) and the trampoline that calls a made context's function.
 *
 * A trampoline is the bottom of every made context's call chain: the root (src/core/root.rs) calls
 * it to start the context and, in Asyncify rewind mode, to resume it. It calls the function
 * through a pointer of the exact type `void (*)(int, ..., int)` for the context's argc, because
 * wasm's call_indirect traps on a signature mismatch. Because it calls through a pointer, Binaryen
 * instruments it, so it is part of the saved chain like any other frame.
 *
 * One small trampoline per argc, chosen by makecontext (the root calls the right one directly),
 * rather than one switch over all of them or a dispatcher calling a per-argc helper: every local
 * of an instrumented function is saved whenever its context is suspended (without optimisation,
 * asyncify-cc -O0, a 65-way switch of calls has thousands of locals), and each frame in the chain
 * is saved and restored at every switch (a dispatcher would add a second frame).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <ucontext.h>

int asyncify_rt_makecontext(ucontext_t *ucp, uintptr_t func, int argc, const int *args);

int asyncify_rt_einval(void) {
    errno = EINVAL;
    return -1;
}

void makecontext(ucontext_t *ucp, void (*func)(void), int argc, ...) {
    int args[ASYNCIFY_RT_MAX_CONTEXT_ARGS];
    int n = argc < 0 ? 0 : argc > ASYNCIFY_RT_MAX_CONTEXT_ARGS ? 0 : argc;
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < n; i++)
        args[i] = va_arg(ap, int);
    va_end(ap);
    if (asyncify_rt_makecontext(ucp, (uintptr_t)func, argc, args) != 0)
        errno = EINVAL;
}

/* T<n>: n parameter types; A<n>: the first n arguments. */
#define T1 int
#define A1 a[0]
#define T2 T1, int
#define A2 A1, a[1]
#define T3 T2, int
#define A3 A2, a[2]
#define T4 T3, int
#define A4 A3, a[3]
#define T5 T4, int
#define A5 A4, a[4]
#define T6 T5, int
#define A6 A5, a[5]
#define T7 T6, int
#define A7 A6, a[6]
#define T8 T7, int
#define A8 A7, a[7]
#define T9 T8, int
#define A9 A8, a[8]
#define T10 T9, int
#define A10 A9, a[9]
#define T11 T10, int
#define A11 A10, a[10]
#define T12 T11, int
#define A12 A11, a[11]
#define T13 T12, int
#define A13 A12, a[12]
#define T14 T13, int
#define A14 A13, a[13]
#define T15 T14, int
#define A15 A14, a[14]
#define T16 T15, int
#define A16 A15, a[15]
#define T17 T16, int
#define A17 A16, a[16]
#define T18 T17, int
#define A18 A17, a[17]
#define T19 T18, int
#define A19 A18, a[18]
#define T20 T19, int
#define A20 A19, a[19]
#define T21 T20, int
#define A21 A20, a[20]
#define T22 T21, int
#define A22 A21, a[21]
#define T23 T22, int
#define A23 A22, a[22]
#define T24 T23, int
#define A24 A23, a[23]
#define T25 T24, int
#define A25 A24, a[24]
#define T26 T25, int
#define A26 A25, a[25]
#define T27 T26, int
#define A27 A26, a[26]
#define T28 T27, int
#define A28 A27, a[27]
#define T29 T28, int
#define A29 A28, a[28]
#define T30 T29, int
#define A30 A29, a[29]
#define T31 T30, int
#define A31 A30, a[30]
#define T32 T31, int
#define A32 A31, a[31]
#define T33 T32, int
#define A33 A32, a[32]
#define T34 T33, int
#define A34 A33, a[33]
#define T35 T34, int
#define A35 A34, a[34]
#define T36 T35, int
#define A36 A35, a[35]
#define T37 T36, int
#define A37 A36, a[36]
#define T38 T37, int
#define A38 A37, a[37]
#define T39 T38, int
#define A39 A38, a[38]
#define T40 T39, int
#define A40 A39, a[39]
#define T41 T40, int
#define A41 A40, a[40]
#define T42 T41, int
#define A42 A41, a[41]
#define T43 T42, int
#define A43 A42, a[42]
#define T44 T43, int
#define A44 A43, a[43]
#define T45 T44, int
#define A45 A44, a[44]
#define T46 T45, int
#define A46 A45, a[45]
#define T47 T46, int
#define A47 A46, a[46]
#define T48 T47, int
#define A48 A47, a[47]
#define T49 T48, int
#define A49 A48, a[48]
#define T50 T49, int
#define A50 A49, a[49]
#define T51 T50, int
#define A51 A50, a[50]
#define T52 T51, int
#define A52 A51, a[51]
#define T53 T52, int
#define A53 A52, a[52]
#define T54 T53, int
#define A54 A53, a[53]
#define T55 T54, int
#define A55 A54, a[54]
#define T56 T55, int
#define A56 A55, a[55]
#define T57 T56, int
#define A57 A56, a[56]
#define T58 T57, int
#define A58 A57, a[57]
#define T59 T58, int
#define A59 A58, a[58]
#define T60 T59, int
#define A60 A59, a[59]
#define T61 T60, int
#define A61 A60, a[60]
#define T62 T61, int
#define A62 A61, a[61]
#define T63 T62, int
#define A63 A62, a[62]
#define T64 T63, int
#define A64 A63, a[63]
void asyncify_rt_context_return(void);

/* The function and arguments of the made context ucp (recorded by asyncify_rt_makecontext). */
#define FN(ucp) ((uintptr_t)(ucp)->uc_mcontext.__fn)
#define ARGS(ucp) ((const int *)(uintptr_t)(ucp)->uc_mcontext.__args)

/* trampoline<n>: runs the made context ucp's function, of n int arguments; when it returns,
 * asyncify_rt_context_return (an Asyncify leaf, src/context.rs) ends the context: uc_link is
 * resumed or the process exits. It never returns here. */
static void trampoline0(ucontext_t *ucp) {
    ((void (*)(void))FN(ucp))();
    asyncify_rt_context_return();
}
#define CALL(n) \
    static void trampoline##n(ucontext_t *ucp) { \
        const int *a = ARGS(ucp); \
        ((void (*)(T##n))FN(ucp))(A##n); \
        asyncify_rt_context_return(); \
    }
CALL(1)
CALL(2)
CALL(3)
CALL(4)
CALL(5)
CALL(6)
CALL(7)
CALL(8)
CALL(9)
CALL(10)
CALL(11)
CALL(12)
CALL(13)
CALL(14)
CALL(15)
CALL(16)
CALL(17)
CALL(18)
CALL(19)
CALL(20)
CALL(21)
CALL(22)
CALL(23)
CALL(24)
CALL(25)
CALL(26)
CALL(27)
CALL(28)
CALL(29)
CALL(30)
CALL(31)
CALL(32)
CALL(33)
CALL(34)
CALL(35)
CALL(36)
CALL(37)
CALL(38)
CALL(39)
CALL(40)
CALL(41)
CALL(42)
CALL(43)
CALL(44)
CALL(45)
CALL(46)
CALL(47)
CALL(48)
CALL(49)
CALL(50)
CALL(51)
CALL(52)
CALL(53)
CALL(54)
CALL(55)
CALL(56)
CALL(57)
CALL(58)
CALL(59)
CALL(60)
CALL(61)
CALL(62)
CALL(63)
CALL(64)

static void (*const trampolines[ASYNCIFY_RT_MAX_CONTEXT_ARGS + 1])(ucontext_t *) = {
    trampoline0, trampoline1, trampoline2, trampoline3, trampoline4, trampoline5, trampoline6, trampoline7, trampoline8, trampoline9, trampoline10, trampoline11, trampoline12, trampoline13, trampoline14, trampoline15, trampoline16, trampoline17, trampoline18, trampoline19, trampoline20, trampoline21, trampoline22, trampoline23, trampoline24, trampoline25, trampoline26, trampoline27, trampoline28, trampoline29, trampoline30, trampoline31, trampoline32, trampoline33, trampoline34, trampoline35, trampoline36, trampoline37, trampoline38, trampoline39, trampoline40, trampoline41, trampoline42, trampoline43, trampoline44, trampoline45, trampoline46, trampoline47, trampoline48, trampoline49, trampoline50, trampoline51, trampoline52, trampoline53, trampoline54, trampoline55, trampoline56, trampoline57, trampoline58, trampoline59, trampoline60, trampoline61, trampoline62, trampoline63, trampoline64,
};

/* The trampoline for a function of argc int arguments (argc at most ASYNCIFY_RT_MAX_CONTEXT_ARGS,
 * which asyncify_rt_makecontext checks first), for src/context.rs to install as the bottom of the
 * context's stack. */
void (*asyncify_rt_trampoline_for(unsigned argc))(ucontext_t *) {
    return trampolines[argc <= ASYNCIFY_RT_MAX_CONTEXT_ARGS ? argc : 0];
}
