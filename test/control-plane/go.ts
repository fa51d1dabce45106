/**
 * Running the Go toolchain for the test binaries (the control plane, Flux's controllers): one
 * place that shows a long build's progress, so a cold first run never looks stuck, and turns a
 * failure into the tail of Go's own errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

export type GoLogger = (message: string) => void;

export interface GoRunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log: GoLogger;
  /** Return stdout instead of passing it through. */
  readonly capture?: boolean;
  /** Appended to the error when go fails: what the person can check. */
  readonly hint?: string;
}

/** `go -v` prints one package path per line it compiles. */
const PACKAGE_LINE = /^[\w.-]+(\/[\w.~+-]+)*$/;

/** Runs go with progress every 15 s (modules downloaded, packages compiled); returns stdout when captured. */
export async function runGo(args: readonly string[], opts: GoRunOptions): Promise<string> {
  await mkdir(opts.cwd, { recursive: true });
  let child: ChildProcess;
  try {
    child = spawn('go', args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', opts.capture ? 'pipe' : 'inherit', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot run "go": ${(e as Error).message}. Install Go >= 1.26 and put it on PATH.`);
  }
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const lines: string[] = [];
  let compiled = 0;
  let downloaded = 0;
  let rest = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      if (PACKAGE_LINE.test(l)) compiled++;
      else if (l.startsWith('go: downloading ')) downloaded++;
    }
    if (lines.length > 400) lines.splice(0, lines.length - 200);
  });
  const started = Date.now();
  const tick = setInterval(() => {
    const modules = downloaded ? `${downloaded} modules downloaded, ` : '';
    opts.log(`  go ${args[0]} ${args.at(-1)}: ${modules}${compiled} packages compiled, ${Math.round((Date.now() - started) / 1000)}s`);
  }, 15_000);
  const [code, err] = await new Promise<[number | null, Error | null]>((res) => {
    child.on('error', (e) => res([null, e]));
    child.on('exit', (c) => res([c, null]));
  });
  clearInterval(tick);
  if (err) throw new Error(`cannot run "go" (${err.message}). Install Go >= 1.26 and put it on PATH.`);
  if (code !== 0) {
    const errors = lines.filter((l) => !PACKAGE_LINE.test(l)).slice(-60).join('\n');
    throw new Error(`"go ${args.join(' ')}" failed in ${opts.cwd} with exit code ${code}:\n${errors}\n` +
      `If module downloads fail, check the Go module proxy (GOPROXY)${opts.hint ? `; ${opts.hint}` : ''}.`);
  }
  return stdout;
}
