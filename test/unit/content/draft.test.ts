import { describe, expect, it } from 'vitest';
import { buildDraft, draftFiles, matchDraft } from '../../../src/core/content/draft';
import { buildManifest, decodeManifest } from '../../../src/core/content/manifest';

const MiB = 1024 * 1024;

describe('drafts', () => {
  const files = [
    { path: 'b/big.bin', size: 3 * MiB, mtime: 7 },
    { path: 'a.txt', size: 5, mtime: 0 },
  ];

  it('encodes as a manifest without hashes, in canonical order, and decodes back', () => {
    const draft = buildDraft(files);
    expect(draft.files.map((f) => f.path)).toEqual(['a.txt', 'b/big.bin']);
    const manifest = decodeManifest(draft.bytes);
    expect(manifest.files.every((f) => f.fileHash.every((b) => b === 0))).toBe(true);
    expect(draftFiles(manifest)).toEqual(draft.files);
  });

  it('refuses a "draft" that carries hashes', () => {
    const manifest = buildManifest([
      {
        path: 'a.txt',
        size: 5,
        mtime: 0,
        fileHash: new Uint8Array(32).fill(1),
        outboardHash: null,
      },
    ]);
    expect(() => draftFiles(manifest)).toThrowError(
      expect.objectContaining({ name: 'Manifest/NotDraft' }),
    );
  });

  it('refuses what a manifest refuses (a path leaving the folder)', () => {
    expect(() => buildDraft([{ path: '../x', size: 1, mtime: 0 }])).toThrowError(
      expect.objectContaining({ name: expect.stringMatching(/^Manifest\//) }),
    );
  });

  it('matches final entries to draft files by path and size', () => {
    const draft = buildDraft([...files, { path: 'c.txt', size: 9, mtime: 0 }]).files;
    const h = new Uint8Array(32).fill(3);
    const entries = buildManifest([
      { path: 'a.txt', size: 5, mtime: 0, fileHash: h, outboardHash: null },
      { path: 'c.txt', size: 10, mtime: 0, fileHash: h, outboardHash: null },
      { path: 'd.txt', size: 1, mtime: 0, fileHash: h, outboardHash: null },
    ]).files;
    expect(matchDraft(draft, entries)).toEqual([0, null, null]);
  });
});
