/*
 * misuse_dead_env_reused.c - longjmp to a dead env after its stack was reused.  (Not differential.)
 *
 * C11 7.13.2.1p2 (undefined behaviour; see misuse_dead_env.c). Here, after the setjmp caller has
 * returned, other functions overwrite the stack region where its frames were saved (large local
 * arrays filled with junk, including bytes that look like the env's own contents), and only
 * then is the dead env used. The runtime must still report it as dead: stderr names a function
 * that "has returned", status 122. Expected stdout: "set\nscribbled\n".
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static jmp_buf env;
static volatile unsigned sink;

NOINLINE static int setter(void)
{
    int frame[64];
    for (int i = 0; i < 64; i++)
        frame[i] = i;
    if (setjmp(env) != 0) {
        puts("resumed a returned function (wrong)");
        return frame[3];
    }
    return 0;
}

NOINLINE static void scribble(void)
{
    unsigned char junk[16384];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37u + 11u);
    /* also plant copies of the env's bytes everywhere, as a confused program might */
    for (size_t i = 0; i + sizeof env <= sizeof junk; i += 256)
        memcpy(junk + i, env, sizeof env);
    sink += junk[100];
}

int main(void)
{
    setter();
    puts("set");
    scribble();
    puts("scribbled");
    fflush(stdout);
    longjmp(env, 1);
    puts("longjmp returned (wrong)");
    return 0;
}
