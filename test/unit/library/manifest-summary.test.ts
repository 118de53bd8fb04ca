import { describe, expect, it } from 'vitest';
import { buildManifest, type ManifestEntry } from '../../../src/core/content/manifest';
import { recordKey } from '../../../src/core/content/record-key';
import {
  isManifestSummary,
  summarizeManifest,
  summaryEntries,
} from '../../../src/core/library/manifest-summary';

const MiB = 1024 * 1024;
const h = (byte: number) => new Uint8Array(32).fill(byte);
const files: ManifestEntry[] = buildManifest([
  { path: 'album/big.raw', size: 3 * MiB, mtime: 0, fileHash: h(1), outboardHash: h(2) },
  { path: 'album/small.jpg', size: 10, mtime: 0, fileHash: h(3), outboardHash: null },
  { path: 'album/huge.mov', size: 2 * MiB + 1, mtime: 0, fileHash: h(4), outboardHash: h(5) },
]).files;

describe('ManifestSummary', () => {
  it('keeps the title, sizes, and what finds each record: the same keys as the manifest', () => {
    const summary = summarizeManifest(files);
    expect(summary.title).toBe('album (3 files)');
    expect(summary.sizes).toEqual(files.map((f) => f.size));
    expect(summaryEntries(summary).map(recordKey)).toEqual(files.map(recordKey));
    expect(summaryEntries(summary).map((e) => e.outboardHash)).toEqual(
      files.map((f) => f.outboardHash),
    );
    expect(isManifestSummary(summary)).toBe(true);
  });

  it('refuses a record that is not one, or does not add up (it is summarized again)', () => {
    const good = summarizeManifest(files);
    for (const bad of [
      undefined,
      null,
      {},
      { ...good, version: 2 },
      { ...good, title: 3 },
      { ...good, sizes: [1, 2] },
      { ...good, sizes: [10, 10, -1] },
      { ...good, sizes: [10, 10, 10] }, // no outboards then, but two are kept
      { ...good, fileHashes: good.fileHashes.subarray(1) },
      { ...good, outboardHashes: [] },
    ]) {
      expect(isManifestSummary(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('summarizes an empty collection', () => {
    const empty = summarizeManifest([]);
    expect(empty.title).toBe('Nothing');
    expect(isManifestSummary(empty)).toBe(true);
    expect(summaryEntries(empty)).toEqual([]);
  });
});
