// Runs a WASI preview1 command module under node's `node:wasi` (the second engine of the test
// suite). Usage: node --no-warnings tools/run-node.mjs [--dir HOST::GUEST]... prog.wasm [args...]
// `--dir HOST::GUEST` preopens the host directory HOST as GUEST (as asyncify-run's option does;
// `--dir DIR` uses DIR for both); options end at the first argument that is not `--dir`.
// The program runs in a worker thread with a 512 MiB stack (V8's default allows only ~10k wasm
// frames), so deep recursion is bounded by the program's own shadow stack, as under asyncify-run.
// stdout/stderr are the process's own; the exit status is the program's (proc_exit or main's
// return). A wasm trap prints "trap: <message>" on stderr and exits with status 134.
//
// Robustness (README "node"): node 20's `node:wasi` implements its imports as V8 *fast API calls*
// when the caller is optimised code, and a fast call that accounts external memory can start a
// garbage collection where none is allowed (nodejs/node#46777, still open). Modules that grow
// their memory hit it at random: SIGSEGV, or V8 fatal errors with freed objects in the stack
// trace. Turning fast API calls off (`--no-turbo-fast-api-calls`, set here before anything is
// compiled; V8 flags are per process, so the worker has it too) removes those crashes: 0 failures in
// 2 x 200 runs of two memory-growing plain WASI modules (no Asyncify), against 21/200 and 7/200
// (SIGSEGV, V8 fatal errors, one hang) with node 20.20's defaults (README "node").
import { openSync, fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import process from 'node:process';
import v8 from 'node:v8';

v8.setFlagsFromString('--no-turbo-fast-api-calls');

if (isMainThread) {
  const argv = process.argv.slice(2);
  const preopens = {};
  while (argv[0] === '--dir' && argv.length > 1) {
    const spec = argv[1];
    const i = spec.indexOf('::');
    if (i < 0) preopens[spec] = spec; else preopens[spec.slice(i + 2)] = spec.slice(0, i);
    argv.splice(0, 2);
  }
  const [file, ...args] = argv;
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { file, args, preopens },
    resourceLimits: { stackSizeMb: 512 },
  });
  let status = 134;
  worker.on('message', (code) => { status = code; });
  worker.on('error', (e) => { process.stderr.write(`trap: ${e.message}\n`); status = 134; });
  worker.on('exit', () => { process.exitCode = status; });
} else {
  const { file, args, preopens } = workerData;
  // node puts stdio pipes in non-blocking mode, and node:wasi writes with plain write(2): once a
  // pipe is full a write fails with EAGAIN and the program's output is silently lost (a reader
  // slower than the program sees a truncated stdout). A pipe is opened again through /proc, which
  // gives a new, blocking open file description of the same pipe.
  const blocking = (fd) => {
    try {
      return fstatSync(fd).isFIFO() ? openSync(`/proc/self/fd/${fd}`, 'w') : fd;
    } catch {
      return fd;
    }
  };
  const wasi = new WASI({
    version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true, preopens,
    stdout: blocking(1), stderr: blocking(2),
  });
  let code;
  try {
    const module = await WebAssembly.compile(await readFile(file));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    code = wasi.start(instance);
  } catch (e) {
    process.stderr.write(`trap: ${e.message}\n`);
    code = 134;
  }
  parentPort.postMessage(code);
}
