// SPDX-License-Identifier: MIT

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Bytes as a person reads them, in SI units like file managers do ("1.5 MB"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

const COUNT = new Intl.NumberFormat('en-US');

/** A whole number as a person reads it: "2,402". */
export function formatNumber(n: number): string {
  return COUNT.format(n);
}

/** A count with its noun as a person reads it: "1 file", "2,402 files". */
export function formatCount(count: number, noun: string, plural = `${noun}s`): string {
  return `${formatNumber(count)} ${count === 1 ? noun : plural}`;
}

/** A rate as a person reads it ("12.3 MB/s"). */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Time left as a person reads it: "8 s", "3 min 20 s", "2 h 5 min"; "–" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/** "12.3 MB/s · 8 s left", or "" while there is no rate yet. */
export function rateLine(p: { rate: number; etaSeconds: number | null }): string {
  if (!(p.rate > 0)) return '';
  return `${formatRate(p.rate)} · ${formatDuration(p.etaSeconds)} left`;
}
