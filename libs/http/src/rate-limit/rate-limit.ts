/**
 * Rate limiting per user (issue 5): at most `perSecond` requests a second for each authenticated
 * user, counted in Redis, so that every instance of the api shares one count. Past it, a 429 with
 * `Retry-After`. Public routes (health, docs) and refused requests (no token: the auth guard runs
 * first) are not counted.
 *
 * One Redis round trip per request: a counter per user and second (`<prefix>:rate:<sub>:<second>`,
 * expiring after two). A user already over the limit in this second is refused from the count this
 * instance keeps, without asking Redis again. With Redis away, requests are let through (the
 * limit protects the service; refusing everyone while Redis is down would do the opposite), and
 * that is logged once a minute at most.
 */
import { type CanActivate, type DynamicModule, type ExecutionContext, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { principalOf } from '@app/auth';
import { REDIS_CLIENT } from '@app/runtime';
import type { Redis } from 'ioredis';

export interface RateLimitOptions {
  /** Requests a second per user; 0: no limit. */
  readonly perSecond: number;
  /** Redis key prefix (QUEUE_PREFIX: one installation's keys together). */
  readonly prefix: string;
}

export const RATE_LIMIT_OPTIONS = Symbol.for('app.http.rate-limit-options');

/** Over the limit: answered 429, with when to try again. */
export class RateLimitedError extends Error {
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`more than ${limit} requests in a second: try again in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}

/** INCR, with the key's expiry set by its first count; returns the count. */
const COUNT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";
const WINDOW_MS = 1_000;
const QUIET_LOG_MS = 60_000;

type Counting = Redis & { countRequest(key: string, expiryMs: number): Promise<number> };

@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger('RateLimit');
  /** This instance's last known count per user, in the current second only. */
  private local = new Map<string, number>();
  private localWindow = 0;
  private lastWarning = 0;
  private readonly redis: Counting;

  constructor(
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitOptions,
    @Inject(REDIS_CLIENT) redis: Redis,
  ) {
    if (!('countRequest' in redis)) redis.defineCommand('countRequest', { numberOfKeys: 1, lua: COUNT });
    this.redis = redis as Counting;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.options.perSecond;
    if (limit <= 0) return true;
    const principal = principalOf(context.switchToHttp().getRequest());
    if (!principal) return true;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.localWindow) {
      this.local = new Map();
      this.localWindow = window;
    }
    const retryAfter = (): number => Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1_000));
    if ((this.local.get(principal.id) ?? 0) >= limit) throw new RateLimitedError(limit, retryAfter());
    let count: number;
    try {
      count = await this.redis.countRequest(`${this.options.prefix}:rate:${principal.id}:${window}`, 2 * WINDOW_MS);
    } catch (error) {
      this.warn(error);
      return true;
    }
    if (this.localWindow === window) this.local.set(principal.id, Math.max(count, this.local.get(principal.id) ?? 0));
    if (count > limit) throw new RateLimitedError(limit, retryAfter());
    return true;
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < QUIET_LOG_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Redis did not count a request (${error instanceof Error ? error.message : String(error)}): letting requests through unlimited meanwhile.`);
  }
}

/**
 * The per-user rate limit for every route of the app that imports it. Import it after AuthModule
 * (its guard needs the principal) and before IdempotencyModule (a refused request claims no key).
 * Needs REDIS_CLIENT (RedisModule, global).
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: RATE_LIMIT_OPTIONS, useValue: options }, { provide: APP_GUARD, useClass: RateLimitGuard }],
    };
  }
}
