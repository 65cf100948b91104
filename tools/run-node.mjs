// Runs a WASI preview1 command module under node's `node:wasi` (the second engine of the test
// suite). Usage: node --no-warnings tools/run-node.mjs [--dir HOST::GUEST]... prog.wasm [args...]
// `--dir HOST::GUEST` preopens the host directory HOST as GUEST (as asyncify-run's option does;
// `--dir DIR` uses DIR for both); options end at the first argument that is not `--dir`.
// The program runs in a worker thread with a 512 MiB stack (V8's default allows only ~10k wasm
// frames), so deep recursion is bounded by the program's own shadow stack, as under asyncify-run.
// stdout/stderr are the process's own; the exit status is the program's (proc_exit or main's
// return). A wasm trap prints "trap: <message>" on stderr and exits with status 134.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import process from 'node:process';

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
  const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true, preopens });
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
