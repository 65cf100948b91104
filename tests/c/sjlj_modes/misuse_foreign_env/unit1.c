/*
 * misuse_foreign_env, unit 1 - longjmp to a jmp_buf set in another context (ucontext) whose
 * setjmp caller is still active, from code in the other unit. (Not differential: wasm only;
 * tests/sjlj_modes.rs builds it in each strategy mix.)
 *
 * <setjmp.h>: "env was set in another context -> ASYNCIFY_RT_STATUS_FOREIGN_JMPBUF (124)".
 * Argument "from_main": a made context sets its env and suspends itself; main jumps to it.
 * Expected stdout: "context set its env\nmain jumps to the context's env\n".
 * Argument "from_context": main sets its env and starts a made context, which jumps to it.
 * Expected stdout: "main set its env\ncontext jumps to main's env\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

void u2_jump(jmp_buf env, const char *what);

static ucontext_t main_uc, uc;
static char stack[64 * 1024];
static jmp_buf ctx_env, main_env;

static void ctx_sets(void)
{
    if (setjmp(ctx_env) != 0) {
        puts("the jump landed in the context (wrong)");
        return;
    }
    puts("context set its env");
    swapcontext(&uc, &main_uc);
    puts("context resumed (wrong)");
}

static void ctx_jumps(void)
{
    u2_jump(main_env, "context jumps to main's env");
}

int main(int argc, char **argv)
{
    int from_main = argc > 1 && strcmp(argv[1], "from_main") == 0;
    getcontext(&uc);
    uc.uc_stack.ss_sp = stack;
    uc.uc_stack.ss_size = sizeof stack;
    uc.uc_link = &main_uc;
    makecontext(&uc, from_main ? ctx_sets : ctx_jumps, 0);
    if (setjmp(main_env) != 0) {
        puts("the jump landed in main (wrong)");
        return 1;
    }
    if (from_main) {
        swapcontext(&main_uc, &uc);
        u2_jump(ctx_env, "main jumps to the context's env");
    } else {
        puts("main set its env");
        swapcontext(&main_uc, &uc);
    }
    puts("returned (wrong)");
    return 1;
}
