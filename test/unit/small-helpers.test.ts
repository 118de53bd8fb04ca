import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatNumber,
  formatRate,
} from '../../src/core/format';
import { TakenPaths, uniquePath } from '../../src/core/unique-path';

describe('uniquePath', () => {
  it('numbers clashing names before the extension', () => {
    const taken = new TakenPaths(['a.txt', 'a (2).txt', 'dir/b']);
    expect(uniquePath('a.txt', taken)).toBe('a (3).txt');
    expect(uniquePath('new.txt', taken)).toBe('new.txt');
    expect(uniquePath('.bashrc', new TakenPaths(['.bashrc']))).toBe('.bashrc (2)');
  });
  it('keeps files and folders from sharing a name', () => {
    expect(uniquePath('dir', new TakenPaths(['dir/b']))).toBe('dir (2)');
    expect(uniquePath('x/y', new TakenPaths(['x']))).toBe('x (2)/y');
    expect(uniquePath('x/z', new TakenPaths(['x', 'x (2)/y']))).toBe('x (2)/z');
    expect(uniquePath('x.d/y', new TakenPaths(['x.d', 'x (2).d']))).toBe('x (3).d/y');
  });
  it('knows every folder above a path, and a file is not its own folder', () => {
    const taken = new TakenPaths(['a/b/c.txt']);
    expect([taken.isFolder('a'), taken.isFolder('a/b'), taken.isFolder('a/b/c.txt')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(taken.isFolder('a/b/')).toBe(false);
    expect(uniquePath('a/b', taken)).toBe('a/b (2)');
    expect(uniquePath('a/b/c.txt/d', taken)).toBe('a/b/c (2).txt/d');
    taken.add('a/b (2)');
    expect(uniquePath('a/b', taken)).toBe('a/b (3)');
  });
  it('renames within a large folder without losing any file', () => {
    const taken = new TakenPaths();
    const out: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const p = uniquePath(`big/${i % 2500}.bin`, taken);
      taken.add(p);
      out.push(p);
    }
    expect(new Set(out).size).toBe(5000);
    expect(out[2500]).toBe('big/0 (2).bin');
  });
});

describe('formatBytes', () => {
  it('uses SI units with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 kB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('67.1 MB');
    expect(formatBytes(-1)).toBe('–');
  });
});

describe('formatDuration and formatRate', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(7.2)).toBe('8 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatRate(12_345_678)).toBe('12.3 MB/s');
  });
});

describe('formatCount', () => {
  it('groups thousands and says the noun in the singular only for one', () => {
    expect(formatCount(0, 'file')).toBe('0 files');
    expect(formatCount(1, 'file')).toBe('1 file');
    expect(formatCount(2402, 'file')).toBe('2,402 files');
    expect(formatCount(1, 'file is', 'files are')).toBe('1 file is');
    expect(formatCount(1_000_000, 'file is', 'files are')).toBe('1,000,000 files are');
    expect(formatNumber(4_000_000_000)).toBe('4,000,000,000');
  });
});
