// The container image's entry point (the Dockerfile's ENTRYPOINT): one image
// for every process of the catalog, the process chosen by the arguments, as
// deploy/kubernetes/ passes them in `args`:
//
//   gateway                      the default CMD
//   products | suppliers | certification
//   migrate <subgraph>...        what the migration Jobs run
//   catalog                      all four in one container (scripts/start.ts), for a trial run
//
// The chosen process runs in this one (no shell, no child process), so the
// container runtime's SIGTERM reaches the server that drains.
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';

export const IMAGE_COMMANDS = ['gateway', ...SUBGRAPH_NAMES, 'migrate', 'catalog'] as const;
export type ImageCommand = (typeof IMAGE_COMMANDS)[number];

// require, not import(): the compiled output is CommonJS, and node's import()
// of an extensionless path fails. Loading a module starts its process.
const SUBGRAPH_ENTRIES: Record<SubgraphName, () => void> = {
  products: () => require('../subgraphs/products/index'),
  suppliers: () => require('../subgraphs/suppliers/index'),
  certification: () => require('../subgraphs/certification/index'),
};

export function isImageCommand(word: string | undefined): word is ImageCommand {
  return (IMAGE_COMMANDS as readonly string[]).includes(word ?? '');
}

function usage(): string {
  return `usage: <image> ${IMAGE_COMMANDS.filter((command) => command !== 'migrate').join(' | ')} | migrate <${SUBGRAPH_NAMES.join('|')}>...`;
}

export function runImageCommand(command: ImageCommand, rest: string[]): void {
  switch (command) {
    case 'gateway':
      require('../gateway/index');
      return;
    case 'migrate':
      (require('./migrate') as typeof import('./migrate')).runMigrateProcess(rest);
      return;
    case 'catalog':
      require('./start');
      return;
    default:
      SUBGRAPH_ENTRIES[command]();
  }
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (!isImageCommand(command)) {
    console.error(command === undefined ? usage() : `unknown command "${command}"; ${usage()}`);
    process.exit(2);
  }
  runImageCommand(command, rest);
}
