import { describe, expect, it } from 'vitest';
import { draftFiles } from '../../src/core/content/draft';
import { HashLog } from '../../src/core/content/hash-log';
import { decodeManifest } from '../../src/core/content/manifest';
import { RoomDraft } from '../../src/ui/stores/room-draft';

const entry = (path: string, size: number) => ({
  path,
  mtime: 0,
  file: new Blob([new Uint8Array(size)]),
  hashing: new HashLog(size),
});

describe('RoomDraft: a room’s draft, made once', () => {
  it('is made from the files not failed, then kept whatever the pick becomes', () => {
    const room = new RoomDraft();
    expect(room.served).toBeNull();
    expect(room.serve([{ id: 1, entry: null }])).toBeNull();
    const made = room.serve([
      { id: 1, entry: entry('b.txt', 3) },
      { id: 2, entry: null },
      { id: 3, entry: entry('a.txt', 5) },
    ]);
    expect(draftFiles(decodeManifest(made!.bytes)).map((f) => f.path)).toEqual(['a.txt', 'b.txt']);
    expect(room.serve([{ id: 9, entry: entry('c.txt', 1) }])).toBe(made);
    expect(room.served).toBe(made);
  });

  it('tells a changed pick (added, removed or swapped files) from the one it was made of, failed ones included', () => {
    const room = new RoomDraft();
    expect(room.changed([])).toBe(true);
    room.serve([
      { id: 1, entry: entry('a', 1) },
      { id: 2, entry: null },
    ]);
    expect(room.changed([1, 2])).toBe(false);
    expect(room.changed([1])).toBe(true);
    expect(room.changed([1, 2, 3])).toBe(true);
    expect(room.changed([1, 3])).toBe(true);
    room.clear();
    expect(room.served).toBeNull();
    expect(room.changed([1, 2])).toBe(true);
  });
});
