import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/bytes';
import { buildManifest, type ManifestEntry } from '../../src/core/content/manifest';
import { verificationCode } from '../../src/core/verification-code';
import { offerFrom } from '../../src/ui/stores/offered-files';

const entry = (path: string, size: number, byte: number): ManifestEntry => ({
  path,
  size,
  mtime: 0,
  fileHash: new Uint8Array(32).fill(byte),
  outboardHash: null,
});

describe('offerFrom', () => {
  it('lists files as a file manager orders them, all chosen, each keeping its manifest index', () => {
    const manifest = buildManifest([
      entry('photos/img 10.jpg', 10, 1),
      entry('photos/img 2.jpg', 20, 2),
      entry('Notes.txt', 30, 3),
      entry('notes.TXT', 40, 4),
      entry('apple.txt', 50, 5),
    ]);
    const hash = new Uint8Array(32).fill(9);
    const offer = offerFrom(manifest, hash, 1234);
    expect(offer.files.map((f) => f.path)).toEqual([
      'apple.txt',
      'Notes.txt',
      'notes.TXT',
      'photos/img 2.jpg',
      'photos/img 10.jpg',
    ]);
    for (const f of offer.files) {
      const listed = manifest.files[f.index]!;
      expect([f.path, f.size, f.hash, f.selected]).toEqual([
        listed.path,
        listed.size,
        toHex(listed.fileHash),
        true,
      ]);
    }
    expect(offer.totalSize).toBe(150);
    expect(offer.code).toBe(verificationCode(hash));
    expect(offer.caseCollisions).toEqual([['Notes.txt', 'notes.TXT']]);
    expect(offer.available).toBe(1234);
  });
});
