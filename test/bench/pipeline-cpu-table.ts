// npx tsx test/bench/pipeline-cpu-table.ts [--root DIR] [--seconds 20] [--runs 3] [--top 40] [--warm]
// Where every CPU-millisecond of a frame goes in one renderClipWith (pipeline-once.mjs: the compiled engine of
// --root, default this checkout; npm run build first), every thread of the process and every ffmpeg it runs
// included. Linux only: each run is sampled by `perf record -e cpu-clock -g` (a CPU-time clock, so a sample is CPU
// spent, whatever the load) with node's --perf-basic-prof naming JavaScript and WebAssembly frames. Samples inside
// the run's bounds are sorted by where (which thread or process) and what (the work, from the call stack), and
// printed as CPU-ms per output frame, medians over the runs, with the perf total against the process's own count.
// --warm profiles a second render of the clip in the process (pipeline-once.mjs' `warm`), as a worker renders.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: new URL('../../', import.meta.url).pathname },
    seconds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    top: { type: 'string', default: '40' },
    warm: { type: 'boolean', default: false },
  },
});
const SAMPLE_HZ = 997;
const runs = Number(values.runs);

interface Sample {
  comm: string;
  pid: number;
  tid: number;
  time: number;
  /** Leaf first: "symbol (dso)". */
  stack: string[];
}

function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  let current: Sample | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current !== null) samples.push(current);
      current = null;
      continue;
    }
    if (!line.startsWith('\t')) {
      const header = /^\s*(.+?)\s+(\d+)\/(\d+)\s+([\d.]+):/.exec(line);
      current = header === null ? null : { comm: header[1]!, pid: Number(header[2]), tid: Number(header[3]), time: Number(header[4]), stack: [] };
      continue;
    }
    const frame = line.trim();
    current?.stack.push(frame.slice(frame.indexOf(' ') + 1));
  }
  if (current !== null) samples.push(current);
  return samples;
}

const some = (stack: string[], pattern: RegExp): boolean => stack.some((frame) => pattern.test(frame));

/** The JavaScript frame nearest the leaf, named by its package (or node's own modules). */
function jsOwner(stack: string[]): string | null {
  for (const frame of stack) {
    if (!frame.startsWith('JS:') || frame.startsWith('JS:wasm-function')) continue;
    const where = /packages\/([^/]+)\/|node_modules\/((?:@[^/]+\/)?[^/]+)\/|(node:internal\/modules|node:[a-z_]+)/.exec(frame);
    if (where === null) return 'JS: other';
    return `JS: ${where[1] ?? where[2] ?? (where[3]!.startsWith('node:internal/modules') ? 'node (module loader)' : 'node')}`;
  }
  return null;
}

/**
 * Which of V8's compilers a sample is in, or null: TurboFan's optimising jobs run on the helper threads (their stacks
 * start at the dispatcher's task, the function they optimise is not on the stack), WebAssembly's compiles in
 * background jobs or at instantiation; the rest runs on the isolate's own thread.
 */
function compilerTier(stack: string[]): string | null {
  if (some(stack, /wasm::.*(Liftoff|Turbofan|Compil)|GenerateCodeForWasm|WasmGraphBuilder/)) return 'V8: compiling WebAssembly (Liftoff, TurboFan)';
  if (some(stack, /OptimizingCompileDispatcher/)) return 'V8: compiling JavaScript, TurboFan';
  const top = stack.slice(0, 12);
  if (some(top, /v8::internal::maglev::/)) return 'V8: compiling JavaScript, Maglev';
  if (some(top, /v8::internal::baseline::/)) return 'V8: compiling JavaScript, Sparkplug';
  if (some(top, /v8::internal::compiler::|turboshaft/)) return 'V8: compiling JavaScript, TurboFan';
  if (some(top, /v8::internal::(Compiler|Parser|interpreter::BytecodeGenerator)|Deserializer|BuiltinLoader/)) return 'V8: parsing and bytecode (modules, functions)';
  if (some(top, /v8::internal::Deoptimizer/)) return 'V8: deoptimising';
  return null;
}

/** What a sample of the node process was doing. */
function nodeWork(stack: string[]): string {
  const leaf = stack[0] ?? '';
  if (some(stack, /onnxruntime/)) return 'onnxruntime (models)';
  if (/^JS:wasm-function|GenericJSToWasmWrapper|js-to-wasm/.test(leaf)) return 'WebAssembly kernels';
  if (some(stack, /uv_spawn|dup_mm|copy_page_range/)) return 'kernel: spawning ffmpeg (fork)';
  const compiling = compilerTier(stack);
  if (compiling !== null) return compiling;
  if (some(stack.slice(0, 12), /Scaveng|Marking|Sweep|MarkCompact|Evacuat|v8::internal::Heap::/)) return 'V8: garbage collection';
  const owner = jsOwner(stack);
  if (owner !== null) return owner;
  if (/kernel/.test(leaf)) return 'kernel: other (pipes, files, memory, threads)';
  return 'native: other (node, libuv, V8 runtime)';
}

/** What a sample of an ffmpeg process (or of its fork before the exec) was doing. */
function childWork(sample: Sample): string {
  const { stack } = sample;
  const leaf = stack[0] ?? '';
  if (some(stack, /libx264/)) return 'x264 (H.264 encoding)';
  if (/libavcodec/.test(leaf)) return 'libavcodec (AAC encoding, audio decoding)';
  if (/ld-linux/.test(leaf)) return 'start-up: dynamic linking';
  if (some(stack, /call_init|_dl_init|TimerResolution/)) return 'start-up: library initialisers';
  if (sample.comm === 'node' || some(stack, /execve|exit_mmap|do_exit|dup_mm|copy_page_range/)) return 'start-up and exit: fork, exec, address space';
  if (/kernel/.test(leaf)) return 'kernel: other (pipes, files, page faults)';
  return 'ffmpeg: other (demuxing, resampling, muxing)';
}

type Where = 'main thread' | 'render threads' | 'inference threads' | 'V8 helper and libuv threads' | 'ffmpeg and ffprobe processes';

/** Thread roles by what most of their samples do. */
function threadRoles(samples: Sample[], nodePid: number): Map<number, Where> {
  const byThread = new Map<number, Sample[]>();
  for (const sample of samples) byThread.set(sample.tid, [...(byThread.get(sample.tid) ?? []), sample]);
  const roles = new Map<number, Where>();
  for (const [tid, own] of byThread) {
    const share = (pattern: RegExp): number => own.filter((s) => some(s.stack, pattern)).length / own.length;
    if (own[0]!.pid !== nodePid) roles.set(tid, 'ffmpeg and ffprobe processes');
    else if (tid === nodePid) roles.set(tid, 'main thread');
    else if (share(/onnxruntime/) > 0.2) roles.set(tid, 'inference threads');
    else if (share(/JS:wasm-function|renderFrame/) > 0.2) roles.set(tid, 'render threads');
    else roles.set(tid, 'V8 helper and libuv threads');
  }
  return roles;
}

interface RunTable {
  frames: number;
  cpuSeconds: number;
  perfSeconds: number;
  /** CPU seconds by "where / what". */
  parts: Map<string, number>;
}

function profileRun(run: number): RunTable {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-cpu-'));
  try {
    const data = join(dir, 'perf.data');
    const record = spawnSync('perf', ['record', '-q', '-k', 'CLOCK_MONOTONIC', '-e', 'cpu-clock', '-F', String(SAMPLE_HZ), '-g', '-o', data, '--',
      'node', '--perf-basic-prof', new URL('pipeline-once.mjs', import.meta.url).pathname, values.root, values.seconds, ...(values.warm ? ['warm'] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (record.status !== 0) throw new Error(`perf record failed (run ${run}): ${record.stderr.slice(-2000)}`);
    const out = record.stdout;
    const bound = (name: string): number => Number(new RegExp(`run ${name} (\\d+)`).exec(out)![1]) / 1e9;
    const nodePid = Number(/^pid (\d+)$/m.exec(out)![1]);
    const text = execFileSync('perf', ['script', '-i', data, '-F', 'comm,pid,tid,time,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    const [start, end] = [bound('start'), bound('end')];
    const samples = parsePerfScript(text).filter((s) => s.time >= start && s.time <= end);
    const roles = threadRoles(samples, nodePid);
    const parts = new Map<string, number>();
    for (const sample of samples) {
      const where = roles.get(sample.tid)!;
      const what = where === 'ffmpeg and ffprobe processes' ? childWork(sample) : nodeWork(sample.stack);
      const key = `${where} / ${what}`;
      parts.set(key, (parts.get(key) ?? 0) + 1 / SAMPLE_HZ);
    }
    const cpu = /cpu own ([\d.]+) children ([\d.]+)/.exec(out)!;
    return { frames: Number(/frames (\d+)/.exec(out)![1]), cpuSeconds: Number(cpu[1]) + Number(cpu[2]), perfSeconds: samples.length / SAMPLE_HZ, parts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    // --perf-basic-prof leaves /tmp/perf-PID.map behind.
    for (const name of readdirSync('/tmp')) if (/^perf-\d+\.map$/.test(name)) rmSync(join('/tmp', name), { force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tables: RunTable[] = [];
for (let run = 0; run < runs; run++) tables.push(profileRun(run));
const frames = tables[0]!.frames;
const perFrame = (seconds: number): string => ((seconds * 1000) / frames).toFixed(2).padStart(6);
const keys = [...new Set(tables.flatMap((t) => [...t.parts.keys()]))];
const rows = keys.map((key) => ({ key, seconds: median(tables.map((t) => t.parts.get(key) ?? 0)) })).sort((a, b) => b.seconds - a.seconds);
const byWhere = new Map<string, number>();
for (const { key, seconds } of rows) byWhere.set(key.split(' / ')[0]!, (byWhere.get(key.split(' / ')[0]!) ?? 0) + seconds);

console.log(`renderClipWith${values.warm ? ' (the second in the process)' : ''}, ${values.seconds} s clip, ${frames} frames, ${values.root}; ${runs} runs, medians; load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`);
console.log(`CPU s (the process's count): ${tables.map((t) => t.cpuSeconds.toFixed(2)).join(', ')}; sampled by perf: ${tables.map((t) => t.perfSeconds.toFixed(2)).join(', ')}`);
console.log('CPU-ms a frame, by where:');
for (const [where, seconds] of [...byWhere].sort((a, b) => b[1] - a[1])) console.log(`${perFrame(seconds)}  ${where}`);
console.log(`${perFrame([...byWhere.values()].reduce((a, b) => a + b, 0))}  total (sum of the medians)`);
console.log('CPU-ms a frame, by where / what:');
for (const { key, seconds } of rows.slice(0, Number(values.top))) console.log(`${perFrame(seconds)}  ${key}`);
