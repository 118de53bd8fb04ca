// SPDX-License-Identifier: MIT
import { yieldToPage } from '../../adapters/yield-to-page';

/** What a `SlicedIntake` does with its items. */
export interface IntakeSteps<T> {
  /** Takes one item in (called in order, once per item). */
  each(item: T): void;
  /** Called after each slice's items, before the page gets its turn. */
  afterSlice(): void;
}

/**
 * Takes items in a slice of time at a time, letting the page paint and answer
 * input between slices, so that a pick of thousands of files never freezes it.
 * Items pushed while it runs join the end of the queue; `clear` drops those
 * not taken yet. Every slice takes at least one item.
 */
export class SlicedIntake<T> {
  private queue: T[] = [];
  private next = 0;
  private running = false;
  /** Bumped by `clear`: a loop from before it stops. */
  private epoch = 0;

  constructor(
    private readonly steps: IntakeSteps<T>,
    /** Longest slice, ms. */
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly pause: () => Promise<void> = yieldToPage,
  ) {}

  /** Items pushed and not taken in yet. */
  get waiting(): number {
    return this.queue.length - this.next;
  }

  /** Queues items; the first slice is taken before this returns. */
  push(items: readonly T[]): void {
    if (items.length === 0) return;
    this.queue = this.queue.slice(this.next).concat(items);
    this.next = 0;
    if (!this.running) void this.run();
  }

  /** Drops the items not taken yet and stops the loop. */
  clear(): void {
    this.queue = [];
    this.next = 0;
    this.epoch++;
    this.running = false;
  }

  private takeSlice(): void {
    const until = this.now() + this.sliceMs;
    do this.steps.each(this.queue[this.next++]!);
    while (this.next < this.queue.length && this.now() < until);
    if (this.next === this.queue.length) {
      this.queue = [];
      this.next = 0;
    }
    this.steps.afterSlice();
  }

  private async run(): Promise<void> {
    const epoch = this.epoch;
    this.running = true;
    try {
      while (this.next < this.queue.length) {
        this.takeSlice();
        await this.pause();
        if (epoch !== this.epoch) return;
      }
    } finally {
      if (epoch === this.epoch) this.running = false;
    }
  }
}
