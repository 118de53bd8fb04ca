import { describe, expect, it, vi } from 'vitest';
import { frameFlush, progressStats, URGENT_GAP_MS } from '../../src/ui/stores/frame-flush';

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

  it('writes at the end of the task for now(), then spaces urgent writes by URGENT_GAP_MS', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 300);
    const extraBefore = progressStats.extraInFrame;
    writer.now();
    await Promise.resolve();
    expect(writes).toBe(1);
    // A second urgent write right after waits for the gap (and a new frame), not the 300 ms interval.
    writer.now();
    await Promise.resolve();
    expect(writes).toBe(1);
    await sleep(URGENT_GAP_MS + 30);
    await nextFrame();
    await nextFrame();
    expect(writes).toBe(2);
    expect(progressStats.extraInFrame).toBe(extraBefore);
  });

  it('shows a storm of finishing files about twenty times a second, not once per file', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++);
    const started = performance.now();
    while (performance.now() - started < 500) {
      writer.now();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(writes).toBeGreaterThanOrEqual(2); // the writes do happen (a loose floor: timers run late on a busy machine)
    expect(writes).toBeLessThanOrEqual(Math.ceil(500 / URGENT_GAP_MS) + 1);
  });

  it('keeps one timer through a storm of calls within the gap, not a new one per call', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, URGENT_GAP_MS);
    writer.sync(); // a write just now: what follows waits out the gap
    // Each timer set or cleared is work on a main thread that also receives the data.
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    try {
      for (let i = 0; i < 500; i++) {
        writer.now();
        writer.request();
      }
      expect(set).toHaveBeenCalledTimes(1);
      expect(clear.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
    await sleep(URGENT_GAP_MS + 30);
    await nextFrame();
    await nextFrame();
    expect(writes).toBe(2);
  });

  it('does not make an urgent write wait out the interval of a routine one', async () => {
    let writes = 0;
    const writer = frameFlush(() => writes++, 10_000);
    writer.sync();
    await sleep(URGENT_GAP_MS + 10);
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
