/*
 * wasm/fiber.h - empty on asyncify-rt. CRuby's own wasm/fiber.{c,h} implemented a context switch
 * with a fixed 6 KiB Asyncify buffer per fiber; coroutine/asyncify/Context.h now uses the
 * standard <ucontext.h> of asyncify-rt instead. The file stays because configure.ac builds
 * wasm/fiber.o for WASI.
 */
#ifndef RB_WASM_SUPPORT_FIBER_H
#define RB_WASM_SUPPORT_FIBER_H
#endif
