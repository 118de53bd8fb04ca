import { describe, expect, it } from 'vitest';
import { yieldToPage } from '../../src/adapters/yield-to-page';
import { SlicedIntake } from '../../src/ui/stores/sliced-intake';

/** A clock that moves 1 ms per item taken, and a record of every slice. */
function harness(sliceMs = 12) {
  let clock = 0;
  const slices: number[][] = [];
  let current: number[] = [];
  const pauses: Array<() => void> = [];
  const intake = new SlicedIntake<number>(
    {
      each(item) {
        current.push(item);
        clock += 1;
      },
      afterSlice() {
        slices.push(current);
        current = [];
      },
    },
    sliceMs,
    () => clock,
    () => new Promise<void>((resolve) => pauses.push(resolve)),
  );
  /** Lets the page have its turn once; resolves when the loop has run its next slice. */
  const turn = async () => {
    pauses.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { intake, slices, turn, pending: () => pauses.length };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('SlicedIntake', () => {
  it('takes items in order, a slice of time at a time, the first slice before push returns', async () => {
    const { intake, slices, turn } = harness();
    intake.push(range(0, 40));
    expect(slices).toEqual([range(0, 12)]);
    expect(intake.waiting).toBe(28);
    await turn();
    await turn();
    await turn();
    await turn();
    expect(slices.map((s) => s.length)).toEqual([12, 12, 12, 4]);
    expect(slices.flat()).toEqual(range(0, 40));
    expect(intake.waiting).toBe(0);
  });

  it('takes at least one item per slice, however slow each is', async () => {
    const { intake, slices, turn } = harness(0);
    intake.push([1, 2, 3]);
    await turn();
    await turn();
    expect(slices).toEqual([[1], [2], [3]]);
  });

  it('queues items pushed while it runs behind those waiting, each taken once', async () => {
    const { intake, slices, turn } = harness();
    intake.push(range(0, 20));
    intake.push(range(100, 5));
    expect(intake.waiting).toBe(13);
    await turn();
    await turn();
    expect(slices.flat()).toEqual([...range(0, 20), ...range(100, 5)]);
    // Idle again: a new push starts a new loop at once.
    await turn();
    intake.push([7]);
    expect(slices.at(-1)).toEqual([7]);
  });

  it('drops what is waiting on clear, and a loop from before the clear takes nothing more', async () => {
    const { intake, slices, turn } = harness();
    intake.push(range(0, 30));
    intake.clear();
    expect(intake.waiting).toBe(0);
    intake.push(range(50, 30));
    // The old loop's turn comes first: it must not take a slice of the new items.
    await turn();
    expect(slices).toEqual([range(0, 12), range(50, 12)]);
    await turn();
    await turn();
    expect(slices.flat()).toEqual([...range(0, 12), ...range(50, 30)]);
  });

  it('yields to the page for real (scheduler.yield or a message round trip)', async () => {
    let later = false;
    const done = yieldToPage().then(() => later);
    later = true;
    expect(await done).toBe(true);
  });
});
