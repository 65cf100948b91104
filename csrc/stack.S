# Wasm pieces of asyncify-rt that Rust cannot express (assembled by clang through the `cc` crate).
#
# * Access to `__stack_pointer`, the linker-synthesised mutable global that holds the C shadow
#   stack pointer, and to the linker symbols `__stack_low` / `__stack_high` that bound the main
#   shadow stack.
# * Two globals of the runtime's own, kept in wasm globals rather than linear memory because an
#   Asyncify unwind that overflows its buffer may overwrite linear memory above the buffer; the root
#   reads these two to notice that before trusting anything in memory:
#     asyncify_rt_mode_g    - the runtime's mode (0 normal, 1 unwinding, 2 rewinding), see src/core/globals.rs
#     asyncify_rt_header_g  - address of the running stack's header (src/core/stack.rs)
# None of these functions call an Asyncify import, so Binaryen never instruments them.

	.globaltype __stack_pointer, i32
	.globaltype asyncify_rt_mode_g, i32
asyncify_rt_mode_g:
	.globaltype asyncify_rt_header_g, i32
asyncify_rt_header_g:

	.globl asyncify_rt_get_sp
	.type asyncify_rt_get_sp,@function
asyncify_rt_get_sp:
	.functype asyncify_rt_get_sp () -> (i32)
	global.get __stack_pointer
	end_function

	.globl asyncify_rt_set_sp
	.type asyncify_rt_set_sp,@function
asyncify_rt_set_sp:
	.functype asyncify_rt_set_sp (i32) -> ()
	local.get 0
	global.set __stack_pointer
	end_function

	.globl asyncify_rt_stack_low
	.type asyncify_rt_stack_low,@function
asyncify_rt_stack_low:
	.functype asyncify_rt_stack_low () -> (i32)
	i32.const __stack_low
	end_function

	.globl asyncify_rt_stack_high
	.type asyncify_rt_stack_high,@function
asyncify_rt_stack_high:
	.functype asyncify_rt_stack_high () -> (i32)
	i32.const __stack_high
	end_function

	.globl asyncify_rt_get_mode
	.type asyncify_rt_get_mode,@function
asyncify_rt_get_mode:
	.functype asyncify_rt_get_mode () -> (i32)
	global.get asyncify_rt_mode_g
	end_function

	.globl asyncify_rt_set_mode
	.type asyncify_rt_set_mode,@function
asyncify_rt_set_mode:
	.functype asyncify_rt_set_mode (i32) -> ()
	local.get 0
	global.set asyncify_rt_mode_g
	end_function

	.globl asyncify_rt_get_header
	.type asyncify_rt_get_header,@function
asyncify_rt_get_header:
	.functype asyncify_rt_get_header () -> (i32)
	global.get asyncify_rt_header_g
	end_function

	.globl asyncify_rt_set_header
	.type asyncify_rt_set_header,@function
asyncify_rt_set_header:
	.functype asyncify_rt_set_header (i32) -> ()
	local.get 0
	global.set asyncify_rt_header_g
	end_function
