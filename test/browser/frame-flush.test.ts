import { describe, expect, it } from 'vitest';
import { frameFlush, progressStats } from '../../src/ui/stores/frame-flush';

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('frameFlush (real animation frames)', () => {
  it('coalesces any number of requests into one write by the next frame', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 0);
    for (let i = 0; i < 1000; i++) writer.request();
    expect(writes).toBe(0);
    await nextFrame();
    await nextFrame();
    expect(writes).toBe(1);
  });

  it('spaces requested writes by the interval, however many frames pass', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 300);
    writer.request();
    await nextFrame();
    await nextFrame();
    expect(writes).toBe(1);
    writer.request();
    for (let i = 0; i < 5; i++) await nextFrame();
    expect(writes).toBe(1);
    await sleep(400);
    await nextFrame();
    expect(writes).toBe(2);
  });

  it('writes at the end of the task for now(), but never twice in one frame', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 300);
    const extraBefore = progressStats.extraInFrame;
    writer.now();
    await Promise.resolve();
    expect(writes).toBe(1);
    // A second urgent write in the same frame waits for the next frame.
    writer.now();
    await Promise.resolve();
    expect(writes).toBe(1);
    await nextFrame();
    await nextFrame();
    expect(writes).toBe(2);
    expect(progressStats.extraInFrame).toBe(extraBefore);
  });

  it('does not make an urgent write wait out the interval of a routine one', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 10_000);
    writer.sync();
    await nextFrame();
    writer.request(); // would wait ten seconds
    writer.now();
    await Promise.resolve();
    expect(writes).toBe(2);
  });

  it('writes synchronously on sync(), cancelling what was scheduled', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 0);
    writer.request();
    writer.sync();
    expect(writes).toBe(1);
    await nextFrame();
    await nextFrame();
    expect(writes).toBe(1);
  });
});
