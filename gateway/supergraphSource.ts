import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../common/logging';

/**
 * A supergraph read from a file and watched: when the file changes, the new
 * supergraph replaces the old one if the gateway accepts it (it composes and
 * plans); an invalid file is logged and the old supergraph keeps serving.
 * Requests in flight finish on the plan they started with.
 */
export function watchedSupergraphFile(path: string, log: Logger, pollMs: number): SupergraphSdlHook {
  return async ({ update }) => {
    let current = await readFile(path, 'utf8');
    let checking: Promise<void> = Promise.resolve();
    const check = async () => {
      let next: string;
      try {
        next = await readFile(path, 'utf8');
      } catch (err) {
        log.error({ msg: 'supergraph file unreadable; keeping the current supergraph', path, err: (err as Error).message });
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        log.info({ msg: 'supergraph reloaded', path });
      } catch (err) {
        log.error({ msg: 'supergraph file rejected; keeping the current supergraph', path, err: (err as Error).message });
      }
    };
    // Polling (not inotify) also sees a file replaced by rename, as deploy tools do.
    watchFile(path, { interval: pollMs, persistent: false }, () => {
      checking = checking.then(check);
    });
    return {
      supergraphSdl: current,
      cleanup: async () => {
        unwatchFile(path);
        await checking;
      },
    };
  };
}
