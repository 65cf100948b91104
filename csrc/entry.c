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
 * This file is C rather than Rust only because Rust has no stable weak undefined symbols.
 */
int asyncify_rt_root(int (*entry)(void));
int asyncify_rt_root_active(void);

extern int __real___original_main(void) __attribute__((weak));
extern int __real___main_void(void) __attribute__((weak));

int __wrap___original_main(void) {
    if (asyncify_rt_root_active())
        return __real___original_main();
    return asyncify_rt_root(__real___original_main);
}

int __wrap___main_void(void) {
    if (asyncify_rt_root_active())
        return __real___main_void();
    return asyncify_rt_root(__real___main_void);
}
