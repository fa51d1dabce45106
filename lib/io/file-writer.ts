/**
 * Writes many small files without stalling the thread that produces them. A cold synth writes
 * one file per object (170,000 at 3,000 tenants) plus a render-cache entry per environment;
 * written synchronously from the main thread, creating each file blocks it (ext4 inode and
 * journal work: 0.1–0.6 ms per file on a busy machine, more the longer the run, once the kernel
 * writes back what came before), and while it blocks it neither renders nor hands the worker
 * threads their next batch. Here the writes run on libuv's thread pool while the caller goes on
 * rendering, and `ready()` gives back-pressure: memory holds at most about `highWater`
 * characters of content waiting to be written, whatever the speed of the disk.
 *
 * Errors are data until asked for: the first failure is kept and thrown by `ready()` and
 * `flush()`, so a full disk fails the run at its next step, and `settle()` waits for writes in
 * flight before the caller removes what they were writing into.
 */
import { mkdir, rename, writeFile } from 'node:fs';
import { dirname } from 'node:path';

export interface FileWriterOptions {
  /** Characters of content queued or being written above which `ready()` waits. @default 4 Mi */
  readonly highWater?: number;
}

export interface FileWriter {
  /**
   * Writes `content` to `path` (parent folders made as needed). With `viaTemp`, writes a
   * temporary file beside it and renames it into place, so a reader never sees half a file.
   * `done` is called once the write is over, whether it succeeded or not.
   */
  write(path: string, content: string, options?: { readonly viaTemp?: boolean; readonly done?: () => void }): void;
  /** Resolves when the backlog is under the high-water mark; rejects with the first write error. */
  ready(): Promise<void>;
  /** Resolves when every write so far is done; rejects with the first write error. */
  flush(): Promise<void>;
  /** Resolves when no write is in flight any more, failed or not (before removing their folder). */
  settle(): Promise<void>;
  /** Characters of content queued or being written. */
  readonly backlog: number;
}

const DEFAULT_HIGH_WATER = 4 * 1024 * 1024;

export function fileWriter(options: FileWriterOptions = {}): FileWriter {
  const highWater = options.highWater ?? DEFAULT_HIGH_WATER;
  const folders = new Map<string, Promise<void>>();
  let backlog = 0;
  let inFlight = 0;
  let failure: Error | undefined;
  let waiters: Array<() => void> = [];
  let temps = 0;

  const wakeUp = () => {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  };
  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
  };
  const folder = (dir: string): Promise<void> => {
    let made = folders.get(dir);
    if (!made) {
      made = new Promise((resolve, reject) => mkdir(dir, { recursive: true }, (error) => (error ? reject(error) : resolve())));
      folders.set(dir, made);
    }
    return made;
  };
  const put = (path: string, content: string, viaTemp: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const target = viaTemp ? `${path}.${process.pid}-${temps++}.tmp` : path;
      writeFile(target, content, (error) => {
        if (error) return reject(error);
        if (!viaTemp) return resolve();
        rename(target, path, (renameError) => (renameError ? reject(renameError) : resolve()));
      });
    });
  /** Waits until `done()` holds, or a write failed. */
  const until = async (done: () => boolean, throwing: boolean): Promise<void> => {
    while (!done() && !(throwing && failure)) await new Promise<void>((resolve) => waiters.push(resolve));
    if (throwing && failure) throw failure;
  };

  return {
    write(path, content, opts = {}) {
      if (failure) return opts.done?.(); // the run fails at its next ready() or flush(); no point writing more
      const size = content.length;
      backlog += size;
      inFlight++;
      folder(dirname(path))
        .then(() => put(path, content, opts.viaTemp === true))
        .catch(fail)
        .finally(() => {
          backlog -= size;
          inFlight--;
          opts.done?.();
          wakeUp();
        });
    },
    ready: () => (backlog <= highWater && !failure ? Promise.resolve() : until(() => backlog <= highWater, true)),
    flush: () => until(() => inFlight === 0, true),
    settle: () => until(() => inFlight === 0, false),
    get backlog() {
      return backlog;
    },
  };
}
