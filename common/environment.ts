/**
 * Typed reads of environment variables. Every process reads its settings once,
 * at start, through these functions; a bad value stops the process with a
 * message naming the variable instead of failing later in a request.
 */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function envString(env: Env, name: string, fallback: string): string;
export function envString(env: Env, name: string): string | undefined;
export function envString(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function envInt(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < range.min || parsed > range.max) {
    throw new ConfigError(name, `must be between ${range.min} and ${range.max}, got ${parsed}`);
  }
  return parsed;
}

/** A TCP port; 0 asks the system for a free one (tests use that). */
export function envPort(env: Env, name: string, fallback: number): number {
  return envInt(env, name, fallback, { min: 0, max: 65535 });
}

export function envBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

export function envUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${url.protocol}`);
  }
  return value;
}

/**
 * DEVELOPMENT_SECRETS=1 asks for the publicly known development secrets in
 * place of missing ones (`npm start`, `npm run dev` and the tests set it).
 * Nothing else does: a process started without its secrets and without this
 * refuses to start. Production (NODE_ENV=production) never uses them.
 */
export function developmentSecretsAllowed(env: Env): boolean {
  return env.NODE_ENV !== 'production' && envBoolean(env, 'DEVELOPMENT_SECRETS', false);
}

/**
 * A secret of at least 32 characters from `name`; without one, the
 * development value when DEVELOPMENT_SECRETS=1 asks for it, else a refusal.
 * The development value is refused in production even when set by hand.
 */
export function envSecret(env: Env, name: string, development: string, alternative = ''): string {
  const secret = raw(env, name);
  if (secret) {
    if (secret.length < 32) throw new ConfigError(name, 'must be at least 32 characters');
    if (secret === development && env.NODE_ENV === 'production') {
      throw new ConfigError(name, 'is the publicly known development secret, which production refuses');
    }
    return secret;
  }
  if (developmentSecretsAllowed(env)) return development;
  throw new ConfigError(
    name,
    env.NODE_ENV === 'production'
      ? `${alternative}is required when NODE_ENV=production`
      : `${alternative}is required (or set DEVELOPMENT_SECRETS=1 to use the development secrets on this machine)`,
  );
}
