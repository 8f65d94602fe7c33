/**
 * HTTP for e2e tests against a running app on 127.0.0.1: a keep-alive client that returns the
 * status, headers and parsed body of every answer (errors included, never thrown), bearer tokens
 * for any principal, and a raw socket that sends a request and hangs up before the answer comes.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { Socket } from 'node:net';
import { signToken } from '@app/auth';
import type { Role } from '@app/domain';

export interface Reply<Body = unknown> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  readonly body: Body;
  readonly text: string;
}

export interface SendOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Serialised as the JSON body, with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** A raw body, sent as given (set the content type in `headers`). */
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export class HttpClient {
  /** Keep-alive, so that a burst of requests goes out at once over warm connections. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(readonly port: number) {}

  send<Body = unknown>(method: string, path: string, options: SendOptions = {}): Promise<Reply<Body>> {
    const payload = options.json !== undefined ? Buffer.from(JSON.stringify(options.json), 'utf8') : options.body;
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parseBody(text) as Body, text });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<Body = unknown>(path: string, token?: string): Promise<Reply<Body>> {
    return this.send<Body>('GET', path, { token });
  }

  post<Body = unknown>(path: string, token: string | undefined, json: unknown, headers?: Record<string, string>): Promise<Reply<Body>> {
    return this.send<Body>('POST', path, { token, json, headers });
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseBody(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface TokenSubject {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly name?: string;
  readonly lpa?: string;
}

/** A bearer token valid for an hour, signed with `secret` (HS256), as `npm run token` makes them. */
export function tokenFor(secret: string, subject: TokenSubject, validForSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  return signToken({ ...subject, exp: now + validForSeconds, iat: now }, secret);
}

/**
 * Sends one JSON POST over a fresh socket and destroys the socket as soon as the request has
 * been handed to the kernel, before any of the answer is read: the client loses the reply,
 * whatever the server does with the request.
 */
export function postAndHangUp(
  port: number,
  path: string,
  token: string,
  json: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  const head = [
    `POST ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: Bearer ${token}`,
    'Content-Type: application/json',
    `Content-Length: ${body.length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => {
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]), (error) => {
        socket.destroy();
        if (error) reject(error);
        else resolve();
      });
    });
  });
}
