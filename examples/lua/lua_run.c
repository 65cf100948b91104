/*
 * lua_run - the smallest useful Lua 5.4 host, for comparing native and WASI builds.
 *
 * Usage: lua_run SCRIPT [ARG...]
 *
 * Creates a Lua state, opens the standard libraries, sets the global table `arg`
 * (arg[0] = SCRIPT, arg[1..n] = ARGs) and runs SCRIPT with the ARGs as its `...`.
 * Everything after the state's creation runs inside one lua_pcall whose message handler
 * appends a stack traceback, so a load error or an uncaught runtime error is reported as
 *     lua_run: <message>
 *     stack traceback:
 *             ...
 * on stderr, and the exit status is 1. The exit status is 0 when the script returns.
 *
 * Lua reports errors by longjmp (ldo.c, LUAI_THROW with LUA_USE_POSIX: _setjmp/_longjmp);
 * on WASI these come from asyncify-rt, natively from the C library. The driver itself does
 * not use setjmp.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

/* The command line, handed to run_script as a light userdata. */
struct cmdline {
    int argc;
    char **argv;
};

/*
 * Message handler: called with the error object at the point of the error (the failing
 * frames are still on the stack). Returns one string: a description of the object followed
 * by a traceback. Strings and numbers describe themselves; other values use their
 * __tostring metamethod when it gives a string; anything else is named by its type only,
 * so that no address ever reaches the output.
 */
static int describe_error(lua_State *L) {
    const char *text;
    int t = lua_type(L, 1);
    if (t == LUA_TSTRING || t == LUA_TNUMBER)
        text = lua_tostring(L, 1);
    else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
        text = lua_tostring(L, -1);
    else
        text = lua_pushfstring(L, "error object of type %s (no string form)", luaL_typename(L, 1));
    luaL_traceback(L, L, text, 1);
    return 1;
}

/* Runs in protected mode: opens the libraries, sets `arg`, loads and calls the script. */
static int run_script(lua_State *L) {
    struct cmdline *cl = (struct cmdline *)lua_touserdata(L, 1);
    int i, nargs = cl->argc - 2;

    luaL_openlibs(L);

    lua_createtable(L, nargs, 1);
    for (i = 1; i < cl->argc; i++) {
        lua_pushstring(L, cl->argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");

    if (luaL_loadfile(L, cl->argv[1]) != LUA_OK)
        return lua_error(L); /* the message names the file; the handler adds the traceback */
    luaL_checkstack(L, nargs, "too many arguments");
    for (i = 2; i < cl->argc; i++)
        lua_pushstring(L, cl->argv[i]);
    lua_call(L, nargs, 0);
    return 0;
}

int main(int argc, char **argv) {
    struct cmdline cl = {argc, argv};
    lua_State *L;
    int status;

    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT [ARG...]\n", argc > 0 ? argv[0] : "lua_run");
        return 2;
    }
    L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "lua_run: cannot create a Lua state (out of memory)\n");
        return 1;
    }
    lua_pushcfunction(L, describe_error);  /* index 1: message handler */
    lua_pushcfunction(L, run_script);
    lua_pushlightuserdata(L, &cl);
    status = lua_pcall(L, 1, 0, 1);
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "lua_run: %s\n", msg != NULL ? msg : "(error without a message)");
    }
    lua_close(L); /* runs pending finalizers and closes the standard files */
    fflush(stdout);
    return status == LUA_OK ? 0 : 1;
}
