import { describe, expect, it } from 'vitest';
import { SMALL_FILE_BYTES, SmallFileReader } from '../../src/adapters/small-file-reader';

/** `count` Blobs of `size` bytes, each filled with its own index (mod 251) so mix-ups show. */
function blobs(count: number, size: number): Blob[] {
  return Array.from({ length: count }, (_, i) => new Blob([new Uint8Array(size).fill(i % 251)]));
}

/** A reader over `files` that records the size of every read it makes. */
function counted(files: Blob[], fail?: (blob: Blob) => boolean) {
  const reads: number[] = [];
  const reader = new SmallFileReader(files, async (blob) => {
    reads.push(blob.size);
    if (fail?.(blob)) throw new DOMException('unreadable', 'NotReadableError');
    return blob.arrayBuffer();
  });
  return { reader, reads };
}

async function expectFile(reader: SmallFileReader, files: Blob[], index: number): Promise<void> {
  const got = await reader.read(index);
  expect(got.length).toBe(files[index]!.size);
  expect(got.every((b) => b === index % 251)).toBe(true);
}

describe('SmallFileReader', () => {
  it('reads files asked for in order sixteen at a time, each one whole and its own', async () => {
    const files = blobs(40, 1000);
    const { reader, reads } = counted(files);
    for (let i = 0; i < 40; i++) await expectFile(reader, files, i);
    // The first alone (nothing before it was served), then 16, 16 and the last 7.
    expect(reads).toEqual([1000, 16_000, 16_000, 7000]);
  });

  it('reads at most 1 MiB at once', async () => {
    const files = blobs(12, 100 * 1024);
    const { reader, reads } = counted(files);
    for (let i = 0; i < 12; i++) await expectFile(reader, files, i);
    expect(reads).toEqual([100 * 1024, 10 * 100 * 1024, 100 * 1024]);
  });

  it('reads a file alone when its predecessor was not just served (a resume, a chosen few)', async () => {
    const files = blobs(400, 4096);
    const { reader, reads } = counted(files);
    for (const i of [5, 100, 300, 7]) await expectFile(reader, files, i);
    expect(reads).toEqual([4096, 4096, 4096, 4096]);
  });

  it('serves requests spread over streams and out of order, from one group read each', async () => {
    const files = blobs(33, 64 * 1024);
    const { reader, reads } = counted(files);
    await expectFile(reader, files, 0);
    // Six streams ask at once, in the order their requests happen to arrive.
    const order = [1, 3, 2, 6, 4, 5, 9, 8, 7, 12, 10, 11, 16, 13, 15, 14];
    await Promise.all(order.map((i) => expectFile(reader, files, i)));
    expect(reads).toEqual([64 * 1024, 16 * 64 * 1024]);
    // 17 follows 16, served: the next group; 18..32 are then all kept.
    for (let i = 17; i < 33; i++) await expectFile(reader, files, i);
    expect(reads).toEqual([64 * 1024, 16 * 64 * 1024, 16 * 64 * 1024]);
  });

  it('does not read again what was just served or is already kept', async () => {
    const files = blobs(20, 1000);
    const { reader, reads } = counted(files);
    for (const i of [4, 5]) await expectFile(reader, files, i); // 5 reads 5..19
    for (const i of [2, 3]) await expectFile(reader, files, i); // 3 follows 2: 3 alone (4, 5.. taken)
    expect(reads).toEqual([1000, 15_000, 1000, 1000]);
  });

  it('when a group cannot be read, reads each file alone so only the broken one fails', async () => {
    const files = blobs(6, 1000);
    // Any read that includes file 3 fails, as a file changed on disk since it was picked would.
    const composite = (blob: Blob) => !files.includes(blob);
    const { reader, reads } = counted(files, (b) => b === files[3] || composite(b));
    await expectFile(reader, files, 0);
    await expectFile(reader, files, 1); // the group 1..5 fails: 1 is read alone
    await expectFile(reader, files, 2);
    await expect(reader.read(3)).rejects.toThrow('unreadable');
    await expectFile(reader, files, 4);
    expect(reads).toEqual([1000, 5000, 1000, 1000, 1000, 1000]);
  });

  it('falls back to reading alone when a group read comes back short', async () => {
    const files = blobs(4, 1000);
    const reads: number[] = [];
    const reader = new SmallFileReader(files, async (blob) => {
      reads.push(blob.size);
      const buffer = await blob.arrayBuffer();
      return files.includes(blob) ? buffer : buffer.slice(0, 2500);
    });
    for (let i = 0; i < 4; i++) await expectFile(reader, files, i);
    expect(reads).toEqual([1000, 3000, 1000, 1000, 1000]);
  });

  it('keeps at most 4 MiB read ahead, dropping the oldest', async () => {
    const files = blobs(100, SMALL_FILE_BYTES);
    const { reader, reads } = counted(files);
    // Each pair reads 4 files (1 MiB) and keeps the 3 after the second: 768 KiB each time.
    for (let start = 0; start < 60; start += 10) {
      await expectFile(reader, files, start);
      await expectFile(reader, files, start + 1);
    }
    expect(reads.length).toBe(12);
    // 6 × 768 KiB is over 4 MiB: the first pair's files (2, 3, 4) went, the last pair's stayed.
    await expectFile(reader, files, 2);
    expect(reads.length).toBe(13);
    await expectFile(reader, files, 52);
    expect(reads.length).toBe(13);
  });

  it('handles only files that exist, are not empty, and are small', () => {
    const reader = new SmallFileReader([
      new Blob([]),
      new Blob([new Uint8Array(SMALL_FILE_BYTES)]),
      new Blob([new Uint8Array(SMALL_FILE_BYTES + 1)]),
    ]);
    expect([0, 1, 2, 3].map((i) => reader.handles(i))).toEqual([false, true, false, false]);
  });
});
