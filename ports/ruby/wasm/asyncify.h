/*
 * wasm/asyncify.h - empty on asyncify-rt: no file of the port calls Binaryen's Asyncify imports;
 * asyncify-rt (linked by asyncify-cc) is the only user of them. Kept for the dependency lines of
 * CRuby's wasm/GNUmakefile.in.
 */
#ifndef RB_WASM_SUPPORT_ASYNCIFY_H
#define RB_WASM_SUPPORT_ASYNCIFY_H
#endif
