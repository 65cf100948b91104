/*
 * wasm/runtime.c - CRuby's WASI entry on asyncify-rt (replaces CRuby's own).
 * CRuby's main.c calls rb_wasm_rt_start(rb_main, argc, argv) so that its own Asyncify loop can
 * wrap main. asyncify-cc links main under asyncify-rt's root already, so this only calls it.
 */
int
rb_wasm_rt_start(int (*main)(int argc, char **argv), int argc, char **argv)
{
    return main(argc, argv);
}
