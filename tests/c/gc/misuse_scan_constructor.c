/*
 * misuse_scan_constructor - asyncify_rt_scan_registers from a constructor, before main: outside
 * the runtime's root, where no frames can be spilled. Must end the program with
 * ASYNCIFY_RT_STATUS_NO_ROOT (125) and one "asyncify-rt: " line (WASI only; tests/gc.rs).
 */
#include <asyncify_rt.h>
#include <stdio.h>

static void cb(void *begin, void *end, void *user) {
    (void)begin, (void)end, (void)user;
}

__attribute__((constructor)) static void scan_too_early(void) {
    asyncify_rt_scan_registers(cb, 0);
}

int main(void) {
    printf("main reached\n");
    return 0;
}
