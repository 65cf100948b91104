/*
 * misuse_dead_env, unit 1 - longjmp to a jmp_buf whose setjmp caller has returned, from code
 * in the other unit, 5 frames down. (Not differential: wasm only, built by tests/sjlj_modes.rs
 * in each strategy mix.)
 *
 * <setjmp.h>: "the function that set env has returned -> ASYNCIFY_RT_STATUS_DEAD_JMPBUF (122)".
 * Argument "to_root": no running function has called setjmp, so with unit1 lowered no
 *   `invoke_*` wrapper is on the chain: the jump unwinds up to the root, which reports it.
 * Argument "through_caller": the jump passes a live setjmp caller (with_own_env); with unit1
 *   lowered its wrapper sees the jump, finds it is not for its env, and passes it on.
 * Expected stdout: "setter: env set\nsetter returned 0\n", then for through_caller
 * "with_own_env: env set\n", then "jumping to the dead env\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

void u2_jump_deep(jmp_buf env, int depth);

static jmp_buf dead;

__attribute__((noinline)) static void note(const char *who, const char *what)
{
    printf("%s: %s\n", who, what);
}

/* Sets `dead`, makes a call (LLVM's lowering drops a setjmp after which nothing is called: the
 * jmp_buf would then never be written, and the jump would be "never set", 121), returns. */
__attribute__((noinline)) static int setter(void)
{
    int r = setjmp(dead);
    note("setter", r == 0 ? "env set" : "jumped to (wrong)");
    return r;
}

__attribute__((noinline)) static void jump(void)
{
    fflush(stdout);
    u2_jump_deep(dead, 5);
}

__attribute__((noinline)) static void with_own_env(void)
{
    jmp_buf own;
    if (setjmp(own) != 0) {
        note("with_own_env", "caught the jump (wrong)");
        return;
    }
    note("with_own_env", "env set");
    jump();
}

int main(int argc, char **argv)
{
    printf("setter returned %d\n", setter());
    if (argc > 1 && strcmp(argv[1], "through_caller") == 0)
        with_own_env();
    else
        jump();
    puts("longjmp returned (wrong)");
    return 1;
}
