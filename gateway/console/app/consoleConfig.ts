import type { ConsolePageConfig } from '../consolePage';

/** What the gateway wrote into the page (#console-config). */
export function readConsoleConfig(): ConsolePageConfig {
  const element = document.getElementById('console-config');
  if (!element?.textContent) throw new Error('The page has no #console-config element.');
  return JSON.parse(element.textContent) as ConsolePageConfig;
}
