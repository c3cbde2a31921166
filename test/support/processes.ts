// Real processes for end-to-end tests: started with their own environment,
// their output kept for failure messages, stopped by their pid.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export interface ProcessOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Run as this user and group (needs root). */
  uid?: number;
  gid?: number;
}

export function startProcess(name: string, command: string, args: string[], options: ProcessOptions): RunningProcess {
  const { cwd, env, uid, gid } = options;
  const child = spawn(command, args, { cwd, env: env as NodeJS.ProcessEnv, uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    child,
    output: () => output,
    exited,
    async stop(graceMs = 15_000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until `url` answers 200 (or the process exits, or the time is up). */
export async function waitForOk(url: string, process: RunningProcess | null, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  let exited = false;
  void process?.exited.then(() => {
    exited = true;
  });
  while (Date.now() - started < timeoutMs) {
    if (exited) throw new Error(`${process!.name} exited before ${url} answered:\n${process!.output().slice(-4000)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${process ? `:\n${process.output().slice(-4000)}` : ''}`);
}
