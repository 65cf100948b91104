// Runs a WASI preview1 command module under node's `node:wasi` (the second engine of the test
// suite). Usage: node --no-warnings tools/run-node.mjs prog.wasm [args...]
// stdout/stderr are the process's own; the exit status is the program's (proc_exit or main's
// return). A wasm trap prints "trap: <message>" on stderr and exits with status 134.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
try {
  const module = await WebAssembly.compile(await readFile(file));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  process.exitCode = wasi.start(instance);
} catch (e) {
  process.stderr.write(`trap: ${e.message}\n`);
  process.exitCode = 134;
}
