import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppThread } from './app-thread';
import { AppThreadStartError } from './dependency-errors';

const folder = mkdtempSync(join(tmpdir(), 'app-thread-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const threads: AppThread[] = [];
afterEach(async () => {
  for (const thread of threads.splice(0)) await thread.stop();
});

/** An AppThread running testing/test-app.thread.ts in `mode`; its log file's lines on demand. */
function testThread(
  mode: 'healthy' | 'unready' | 'crash' | 'fail-boot' | 'hang-boot',
  restart = { initialMs: 100, maxMs: 400 },
  bootTimeoutMs?: number,
): { thread: AppThread; lines: () => string[] } {
  const log = join(folder, `${mode}-${threads.length}-${Date.now()}.log`);
  writeFileSync(log, '');
  const thread = new AppThread({
    name: 'Test',
    entry: join(__dirname, 'testing/test-app.thread.ts'),
    env: { TEST_THREAD_MODE: mode, TEST_THREAD_LOG: log },
    restart,
    ...(bootTimeoutMs === undefined ? {} : { bootTimeoutMs }),
  });
  threads.push(thread);
  return { thread, lines: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** Resolves once `condition` holds, checking every 20 ms; fails the test after 20 s. */
async function eventually(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const why = (thread: AppThread): Promise<string> => thread.check().then(() => 'ready', (error: Error) => error.message);

describe('AppThread', () => {
  it('is unready until its thread has started, ready while it runs, and closes its context when stopped', async () => {
    const { thread, lines } = testThread('healthy');
    expect(await why(thread)).toBe('the Test thread has not been started');
    const started = thread.start();
    expect(await why(thread)).toBe('the Test thread is starting');

    await started;
    expect(await why(thread)).toBe('ready');
    expect(lines()).toEqual(['started']);

    await thread.stop();
    expect(lines()).toEqual(['started', 'closed']);
    expect(await why(thread)).toBe('the Test thread is stopped');
  });

  it("answers with the thread's own readiness checks", async () => {
    const { thread } = testThread('unready');
    await thread.start();
    expect(await why(thread)).toBe('probe: not caught up');
  });

  it('starts a thread that died again, after a wait, and is unready meanwhile', async () => {
    // Long enough a wait that the test sees it, however loaded the machine.
    const { thread, lines } = testThread('crash', { initialMs: 1_000, maxMs: 1_000 });
    await thread.start();
    await eventually(async () => (await why(thread)).startsWith('the Test thread stopped (boom)'), 'the crash to be seen');
    await eventually(async () => (await why(thread)) === 'ready', 'the thread to be ready again');
    expect(lines()).toEqual(['started', 'started']);
  });

  it('fails its first start with the reason the thread gave, and does not try again', async () => {
    const { thread, lines } = testThread('fail-boot');
    const failure = await thread.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppThreadStartError);
    expect(failure).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^The Test thread could not start: Error: cannot open the database/) });
    expect(await why(thread)).toBe('the Test thread is stopped');
    // Well past the first wait before a restart (100 ms): no second attempt.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lines()).toEqual(['booting']);
  });

  it('fails a first start that does not complete in time', async () => {
    const { thread } = testThread('hang-boot', undefined, 3_000);
    const failure = await thread.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppThreadStartError);
    expect(failure).toMatchObject({ message: 'The Test thread could not start: it did not start within 3000 ms' });
    expect(await why(thread)).toBe('the Test thread is stopped');
  });

  it('fails a first start that is stopped before it completes, and stops once however often it is asked', async () => {
    const { thread } = testThread('healthy');
    const started = thread.start().catch((error: unknown) => error);
    const stopped = thread.stop();
    expect(thread.stop()).toBe(stopped);
    await stopped;
    expect(await started).toMatchObject({ message: 'The Test thread was stopped while it started' });
    expect(await why(thread)).toBe('the Test thread is stopped');
  });
});
