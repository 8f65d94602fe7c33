import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { EventStoreConfig } from '../create-event-store';
import type { RacerCommand, RacerReply } from './append-racer';

/** A pool of OS processes that append to the same store on command (see append-racer.ts). */
export class RacerPool {
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(config: EventStoreConfig, count: number): Promise<RacerPool> {
    const children = Array.from({ length: count }, (_, n) =>
      fork(join(__dirname, 'append-racer.ts'), [JSON.stringify(config), `racer-${n}`], {
        execArgv: ['-r', '@swc-node/register'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const pool = new RacerPool(children);
    await pool.collect((reply) => reply.kind === 'ready');
    return pool;
  }

  /** Sends `command` to every racer and resolves with one matching reply from each. */
  async all(command: RacerCommand, expected: RacerReply['kind']): Promise<RacerReply[]> {
    const replies = this.collect((reply) => reply.kind === expected);
    for (const child of this.children) child.send(command);
    return replies;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send({ kind: 'exit' } satisfies RacerCommand, (error) => {
              if (error) child.kill('SIGKILL');
            });
          }),
      ),
    );
  }

  private collect(accept: (reply: RacerReply) => boolean): Promise<RacerReply[]> {
    return Promise.all(
      this.children.map(
        (child) =>
          new Promise<RacerReply>((resolve, reject) => {
            const onMessage = (reply: RacerReply): void => {
              if (reply.kind === 'failed') return finish(() => reject(new Error(`racer failed: ${reply.message}`)));
              if (accept(reply)) finish(() => resolve(reply));
            };
            const onExit = (code: number | null): void =>
              finish(() => reject(new Error(`racer exited early with code ${String(code)}`)));
            const finish = (settle: () => void): void => {
              child.off('message', onMessage);
              child.off('exit', onExit);
              settle();
            };
            child.on('message', onMessage);
            child.once('exit', onExit);
          }),
      ),
    );
  }
}
