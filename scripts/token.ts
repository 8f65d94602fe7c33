/**
 * `npm run token -- --sub ID --role ROLE [--role ROLE…] [--lpa CODE] [--name NAME] [--ttl 8h]`:
 * prints a bearer token for local use (API.md, Conventions: Auth), signed with AUTH_JWT_SECRET
 * or, when that is unset, with the development secret and the same warning the app gives.
 */
import { parseArgs } from 'node:util';
import { signToken } from '@app/auth';
import { ConfigError, loadConfig } from '@app/config';
import { isKebabCaseId, ROLES, type Role } from '@app/domain';

const USAGE = `usage: npm run token -- --sub ID --role ROLE [--role ROLE...] [--lpa CODE] [--name NAME] [--ttl 8h]
  ROLE: ${ROLES.join(', ')}; the lpa role needs --lpa CODE
  --ttl: how long the token is valid, in s, m, h or d (default 8h)`;

/** sysexits.h */
const EXIT_USAGE = 64;
const EXIT_CONFIG = 78;

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

function fail(message: string, code = EXIT_USAGE): never {
  console.error(code === EXIT_USAGE ? `${message}\n${USAGE}` : message);
  process.exit(code);
}

function parseTtl(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  const seconds = match === null ? Number.NaN : Number(match[1]) * (TTL_UNITS[match[2] ?? ''] ?? Number.NaN);
  if (!(seconds > 0)) fail(`--ttl ${JSON.stringify(text)} is not a duration such as 90s, 30m, 8h or 2d`);
  return seconds;
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        sub: { type: 'string' },
        role: { type: 'string', multiple: true },
        lpa: { type: 'string' },
        name: { type: 'string' },
        ttl: { type: 'string', default: '8h' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const sub = values.sub?.trim();
  if (sub === undefined || sub === '') fail('--sub is required');
  const roles = values.role ?? [];
  if (roles.length === 0) fail('--role is required');
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) fail(`unknown role ${unknown.join(', ')}`);
  if (roles.includes('lpa') && !isKebabCaseId(values.lpa)) fail('the lpa role needs --lpa CODE (lowercase kebab-case)');
  if (values.lpa !== undefined && !roles.includes('lpa')) fail('--lpa goes with --role lpa');

  let secret: string;
  try {
    const config = loadConfig(process.env);
    for (const warning of config.warnings) console.error(`warning: ${warning}`);
    secret = config.auth.jwtSecret;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT_CONFIG);
    throw error;
  }

  const now = Math.floor(Date.now() / 1000);
  console.log(
    signToken(
      {
        sub,
        name: values.name ?? sub,
        roles: roles as Role[],
        ...(values.lpa === undefined ? {} : { lpa: values.lpa }),
        iat: now,
        exp: now + parseTtl(values.ttl),
      },
      secret,
    ),
  );
}

main();
