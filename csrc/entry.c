/*
 * The program's entry, wrapped. asyncify-cc links with
 *     -Wl,--wrap=__original_main -Wl,--wrap=__main_void
 * so that wasi-libc's `_start` reaches the runtime's root (asyncify_rt_root, src/core/root.rs) before
 * any frame of the program. Two symbols because wasi-libc changed: the 2022 snapshot's `_start`
 * calls `__original_main` (which `int main(void)` defines itself, and libc's default calls
 * `__main_void`); newer ones call `__main_void` directly (defined by `int main(void)`, or by libc to
 * read the arguments and call `int main(int, char **)`). Whichever is reached first runs the root;
 * the other, reached under it, just calls through. The `__real_` references are weak so a libc that
 * lacks one of the two symbols still links.
 *
 * A program whose main takes arguments (`__main_argc_argv`) has them read here, the way libc's
 * `__main_void` reads them (WASI args_sizes_get and args_get), and its main is run by the root
 * directly (asyncify_rt_root_main). Every frame between the root and main is saved and restored
 * at every context switch and register scan, so libc's two forwarding frames (`__original_main`,
 * `__main_void`) are left out of the chain. Errors reading the arguments end the program with one
 * stderr line and libc's own statuses for them: 71 (EX_OSERR) when WASI refuses, 70
 * (EX_SOFTWARE) when memory runs out.
 *
 * This file is C rather than Rust only because Rust has no stable weak undefined symbols.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int asyncify_rt_root(int (*entry)(void));
int asyncify_rt_root_main(int (*main)(int, char **), int argc, char **argv);
int asyncify_rt_root_active(void);

extern int __real___original_main(void) __attribute__((weak));
extern int __real___main_void(void) __attribute__((weak));
extern int __main_argc_argv(int, char **) __attribute__((weak));

static _Noreturn void args_failed(const char *why, int status) {
    fprintf(stderr, "asyncify-rt: cannot read the program's arguments: %s\n", why);
    _Exit(status);
}

/* Runs the root under the program: main with its arguments when it takes them, else `entry`. */
static int start(int (*entry)(void)) {
    if (!__main_argc_argv)
        return asyncify_rt_root(entry);
    __wasi_size_t argc, size;
    if (__wasi_args_sizes_get(&argc, &size) != 0)
        args_failed("WASI args_sizes_get failed", 71);
    char *text = malloc(size ? size : 1);
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!text || !argv)
        args_failed("out of memory", 70);
    if (__wasi_args_get((uint8_t **)argv, (uint8_t *)text) != 0)
        args_failed("WASI args_get failed", 71);
    return asyncify_rt_root_main(__main_argc_argv, (int)argc, argv);
}

int __wrap___original_main(void) {
    if (asyncify_rt_root_active())
        return __real___original_main();
    return start(__real___original_main);
}

int __wrap___main_void(void) {
    if (asyncify_rt_root_active())
        return __real___main_void();
    return start(__real___main_void);
}
