/**
 * Whole-process measurement for the benchmarks: wall time, peak RSS (from /usr/bin/time, else
 * polled from /proc) and, on request, an RSS timeline. Every process runs as the leader of its
 * own group and is listed in `running`, so a benchmark can end them all on interrupt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where peak memory comes from when present; else /proc is polled. */
export const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const seconds = (from: number) => (performance.now() - from) / 1000;


export interface Measured {
  readonly seconds: number;
  /** maxRSS of the process (and of the children it waited for), MB. */
  readonly peakMb: number;
  /**
   * CPU seconds (user + system) of the process and the children it waited for, from /usr/bin/time;
   * undefined without it. Unlike wall time, barely moved by other work on the machine.
   */
  readonly cpuSeconds?: number;
  readonly code: number | null;
  readonly stdout: string;
  /** Lines written to stdout (all of them, also when `stdout` was cut). */
  readonly stdoutLines: number;
  readonly stderr: string;
  /** With `timeline`: seconds since start, RSS MB and threads, every 100 ms. */
  readonly timeline?: ReadonlyArray<readonly [number, number, number]>;
}

/** Processes started and not yet finished, each the leader of its own process group, to end on interrupt. */
export const running = new Set<ChildProcess>();

/** VmHWM (peak RSS), VmRSS and Threads of a live process, from /proc; zeros once it is gone. */
function procStatus(pid: number): { hwmKb: number; rssKb: number; threads: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { hwmKb: field('VmHWM'), rssKb: field('VmRSS'), threads: field('Threads') };
  } catch {
    return { hwmKb: 0, rssKb: 0, threads: 0 };
  }
}

/**
 * Runs `cmd`, timing the whole process; stdout is kept up to 1 MB (lines counted throughout),
 * stderr's last 8 KB. `timeline` polls the process's RSS (and then reads its peak from /proc, not
 * from /usr/bin/time, which would be the process polled).
 */
export function measure(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeline?: boolean }): Promise<Measured> {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'tenantctl-bench-rss-')), 'maxrss');
  const gnuTime = options.timeline ? undefined : GNU_TIME;
  const [file, argv] = gnuTime ? [gnuTime, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, [...args]];
  const started = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stdout = '';
  let stdoutLines = 0;
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) stdoutLines++;
    if (stdout.length < 1 << 20) stdout += text;
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
  let hwm = 0;
  const timeline: Array<[number, number, number]> = [];
  let polls = 0;
  const poll = gnuTime
    ? undefined
    : setInterval(() => {
        const status = procStatus(child.pid!);
        hwm = Math.max(hwm, status.hwmKb);
        if (options.timeline && polls++ % 2 === 0 && status.rssKb) timeline.push([seconds(started), status.rssKb / 1024, status.threads]);
      }, 50);
  const finish = (): { kb: number; cpu?: number } => {
    running.delete(child);
    clearInterval(poll);
    let kb = hwm;
    let cpu: number | undefined;
    try {
      if (gnuTime) {
        const [maxRss, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
        kb = maxRss;
        cpu = user + system;
      }
    } catch {
      // /usr/bin/time wrote nothing (the command could not start): no peak to report.
    }
    rmSync(dirname(rssFile), { recursive: true, force: true });
    return { kb, cpu };
  };
  return new Promise((done, fail) => {
    child.on('error', (error) => {
      finish();
      fail(error);
    });
    child.on('close', (code) => {
      const wall = seconds(started);
      const { kb, cpu } = finish();
      done({ seconds: wall, peakMb: kb / 1024, ...(cpu !== undefined && Number.isFinite(cpu) ? { cpuSeconds: cpu } : {}), code, stdout, stdoutLines, stderr, ...(options.timeline ? { timeline } : {}) });
    });
  });
}

