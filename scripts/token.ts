// Prints a signed bearer token for local use, and nothing else:
//   npm run --silent token -- --sub alice --role certifier
//   npm run --silent token -- --sub shop --role partner --platform jd --ttl 1h
// Signs with AUTH_SECRET (HS256), or the development secret (DEVELOPMENT_SECRETS=1, which npm run token sets).
import { parseArgs } from 'node:util';
import { ConfigError } from '../common/environment';
import { ROLES, type Role } from '../common/identity';
import { localSigningKey, mintToken } from '../common/localTokens';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function seconds(ttl: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(ttl.trim());
  if (!match) throw new Error(`--ttl must look like 3600, 30m, 1h or 7d; got "${ttl}"`);
  return Number(match[1]) * UNITS[match[2] || 's'];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', multiple: true, default: [] },
      platform: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
    },
  });
  if (!values.sub) throw new Error('--sub <name> is required');
  const roles = values.role ?? [];
  for (const role of roles) {
    if (!ROLES.includes(role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}; got "${role}"`);
  }
  if (roles.includes('partner') && !values.platform) throw new Error('--role partner needs --platform <code>');
  const key = localSigningKey(process.env);
  if (key.algorithm !== 'HS256') throw new Error('Tokens can only be minted with AUTH_SECRET (HS256); RS256 keys are issued elsewhere.');
  if (key.development) console.error('warning: signed with the development secret; only a catalog started with DEVELOPMENT_SECRETS=1 accepts it');
  process.stdout.write(
    `${mintToken({ sub: values.sub, roles: roles as Role[], platform: values.platform ?? null }, key.secret, seconds(values.ttl ?? '1h'), key)}\n`,
  );
}

try {
  main();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : (err as Error).message);
  process.exit(1);
}
