import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The module remembers a request still waiting for the person: each test loads it afresh.
let storage: typeof import('../../src/adapters/storage');
const requestPersistence = () => storage.requestPersistence();
const PERSIST_ANSWER_MS = 500;
beforeEach(async () => {
  vi.resetModules();
  storage = await import('../../src/adapters/storage');
  expect(storage.PERSIST_ANSWER_MS).toBe(PERSIST_ANSWER_MS);
});

/** A navigator.storage whose persist() is answered by `answer` (never, when it returns a pending promise). */
function stubStorage(persisted: boolean, answer: () => Promise<boolean>) {
  const persist = vi.fn(answer);
  vi.stubGlobal('navigator', { storage: { persisted: async () => persisted, persist } });
  return persist;
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('requestPersistence', () => {
  it('does not wait for a prompt nobody answers (Firefox asks the person): false after the bound', async () => {
    vi.useFakeTimers();
    const persist = stubStorage(false, () => new Promise<boolean>(() => {}));
    let result: boolean | null = null;
    void requestPersistence().then((r) => {
      result = r;
    });
    await vi.advanceTimersByTimeAsync(PERSIST_ANSWER_MS - 1);
    expect(result).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    // A second run while the prompt is still open asks no second time.
    const again = requestPersistence();
    await vi.advanceTimersByTimeAsync(PERSIST_ANSWER_MS);
    expect(await again).toBe(false);
    expect(persist).toHaveBeenCalledTimes(1);
  });

  it('passes on a prompt answer that comes in time, and does not ask when already persisted', async () => {
    stubStorage(false, async () => true);
    expect(await requestPersistence()).toBe(true);
    const persist = stubStorage(true, async () => false);
    expect(await requestPersistence()).toBe(true);
    expect(persist).not.toHaveBeenCalled();
  });

  it('is false where the browser has no persist() or it throws', async () => {
    vi.stubGlobal('navigator', {});
    expect(await requestPersistence()).toBe(false);
    stubStorage(false, () => Promise.reject(new Error('denied')));
    expect(await requestPersistence()).toBe(false);
  });
});
