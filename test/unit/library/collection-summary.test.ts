import { describe, expect, it } from 'vitest';
import {
  collectionTitle,
  summarizeCollection,
  verifiedBytes,
} from '../../../src/core/library/collection-summary';

const MiB = 1024 * 1024;

describe('verifiedBytes', () => {
  it('counts whole blocks, and the short last block by its real length', () => {
    const size = 2 * MiB + 10;
    expect(verifiedBytes({ size, verifiedCount: 0, lastBlockVerified: false })).toBe(0);
    expect(verifiedBytes({ size, verifiedCount: 2, lastBlockVerified: false })).toBe(2 * MiB);
    expect(verifiedBytes({ size, verifiedCount: 1, lastBlockVerified: true })).toBe(10);
    expect(verifiedBytes({ size, verifiedCount: 3, lastBlockVerified: true })).toBe(size);
    expect(verifiedBytes({ size: 0, verifiedCount: 0, lastBlockVerified: false })).toBe(0);
  });

  it('clamps a record that claims more blocks than the file has, or fewer than none', () => {
    expect(verifiedBytes({ size: 5, verifiedCount: 99, lastBlockVerified: true })).toBe(5);
    expect(verifiedBytes({ size: 5, verifiedCount: -3, lastBlockVerified: true })).toBe(0);
    expect(verifiedBytes({ size: 3 * MiB, verifiedCount: 99, lastBlockVerified: false })).toBe(
      3 * MiB,
    );
  });
});

describe('collectionTitle', () => {
  it('names the one top folder, or the first file and how many more', () => {
    expect(collectionTitle(['holiday/a.jpg', 'holiday/b/c.jpg'])).toBe('holiday (2 files)');
    expect(collectionTitle(['report.pdf'])).toBe('report.pdf');
    expect(collectionTitle(['z.txt', 'docs/a.txt', 'b.txt'])).toBe('b.txt and 2 more');
    expect(collectionTitle([])).toBe('Nothing');
  });
});

/** A collection's title and sizes, as its stored summary keeps them. */
const kept = (files: { path: string; size: number }[]) => ({
  title: collectionTitle(files.map((f) => f.path)),
  sizes: files.map((f) => f.size),
});

describe('summarizeCollection', () => {
  const files = [
    { path: 'a/one.bin', size: 3 * MiB },
    { path: 'a/two.bin', size: 100 },
    { path: 'a/empty', size: 0 },
    { path: 'a/skipped.bin', size: 50 * MiB },
  ];

  it('sums only the chosen files (those with a record), and says when all of them are complete', () => {
    const partial = summarizeCollection(kept(files), [
      { size: 3 * MiB, verifiedCount: 1, lastBlockVerified: false },
      { size: 100, verifiedCount: 1, lastBlockVerified: true },
      { size: 0, verifiedCount: 0, lastBlockVerified: false },
      undefined,
    ]);
    expect(partial).toEqual({
      title: 'a (4 files)',
      offeredFiles: 4,
      chosenFiles: 3,
      chosenBytes: 3 * MiB + 100,
      doneFiles: 2,
      verifiedBytes: MiB + 100,
      complete: false,
    });
    const done = summarizeCollection(kept(files), [
      { size: 3 * MiB, verifiedCount: 3, lastBlockVerified: true },
      { size: 100, verifiedCount: 1, lastBlockVerified: true },
      { size: 0, verifiedCount: 0, lastBlockVerified: false },
      undefined,
    ]);
    expect(done).toMatchObject({ doneFiles: 3, verifiedBytes: 3 * MiB + 100, complete: true });
  });

  it('is not complete when nothing was chosen', () => {
    expect(
      summarizeCollection(kept(files), [undefined, undefined, undefined, undefined]).complete,
    ).toBe(false);
  });

  it('trusts the manifest size over a record that disagrees', () => {
    const s = summarizeCollection(kept([{ path: 'x', size: 10 }]), [
      { size: 5 * MiB, verifiedCount: 5, lastBlockVerified: true },
    ]);
    expect(s.verifiedBytes).toBe(10);
  });
});
