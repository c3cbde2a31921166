import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../common/logging';
import type { GatewayConfig } from './config';
import { composeSupergraph } from './supergraph';

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

/** The supergraph the gateway serves: SUPERGRAPH_PATH, watched, or else composed from schema/ at start. */
export function supergraphOf(config: Pick<GatewayConfig, 'supergraphPath' | 'supergraphPollMs' | 'subgraphUrls'>, log: Logger): string | SupergraphSdlHook {
  return config.supergraphPath ? watchedSupergraphFile(config.supergraphPath, log, config.supergraphPollMs) : composeSupergraph(config.subgraphUrls);
}
