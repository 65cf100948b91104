	# wasm/machine_core.S - empty on asyncify-rt (CRuby's own read and wrote __stack_pointer for
	# its coroutine adapter; asyncify-rt's contexts manage the stack pointer themselves). Kept
	# because configure.ac builds wasm/machine_core.o.
