/*
 * wasm/machine.c - CRuby's WASI machine interface on asyncify-rt (replaces CRuby's own, which
 * spilled locals into a fixed 6 KiB static buffer and recorded the stack base in a constructor).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asyncify_rt.h>
#include "wasm/machine.h"

/* The copy of the spilled locals handed to gc.c (which reads it after rb_wasm_scan_locals
 * returns, while asyncify_rt_scan_registers's range is valid only during its callback). It grows
 * as needed and is reused by the next scan. */
static struct {
    char *buf;
    size_t len, cap;
} locals_copy;

/* Appends [begin, end) to locals_copy. Runs inside scan callbacks: only libc's realloc/memcpy,
 * nothing that can unwind. */
static void
append_range(void *begin, void *end)
{
    size_t n = (size_t)((char *)end - (char *)begin);
    if (end <= begin) return;
    if (locals_copy.len + n > locals_copy.cap) {
        size_t cap = locals_copy.cap ? locals_copy.cap * 2 : 16384;
        while (cap < locals_copy.len + n) cap *= 2;
        char *p = realloc(locals_copy.buf, cap);
        if (!p) {
            static const char msg[] = "ruby: rb_wasm_scan_locals: out of memory copying the spilled wasm locals\n";
            fwrite(msg, 1, sizeof msg - 1, stderr);
            _Exit(1);
        }
        locals_copy.buf = p;
        locals_copy.cap = cap;
    }
    memcpy(locals_copy.buf + locals_copy.len, begin, n);
    locals_copy.len += n;
}

static void
copy_registers(void *begin, void *end, void *user_data)
{
    (void)user_data;
    append_range(begin, end);
}

void
rb_wasm_scan_locals(rb_wasm_scan_func scan)
{
    locals_copy.len = 0;
    asyncify_rt_scan_registers(copy_registers, NULL);
    scan(locals_copy.buf, locals_copy.buf + locals_copy.len);
}

void *
rb_wasm_stack_get_base(void)
{
    void *high = NULL;
    asyncify_rt_stack_bounds(NULL, &high);
    return high;
}

size_t
rb_wasm_stack_get_maxsize(void)
{
    void *low = NULL, *high = NULL;
    asyncify_rt_stack_bounds(&low, &high);
    size_t size = (size_t)((char *)high - (char *)low);
    size_t reserve = size / 8;
    if (reserve < 65536) reserve = 65536;
    return size > reserve ? size - reserve : 0;
}
