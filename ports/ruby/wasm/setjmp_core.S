	# wasm/setjmp_core.S - empty on asyncify-rt (CRuby's own saved and restored the stack
	# pointer around its Asyncify setjmp). Kept because configure.ac builds wasm/setjmp_core.o.
