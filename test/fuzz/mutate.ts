// SPDX-License-Identifier: MIT
// Structure-aware inputs: a valid encoding (made by the real encoder from a
// random value), then none or a few byte-level mutations of the kinds that
// find decoder bugs (flips, truncation, insertion, splices, extreme bytes).
import fc from 'fast-check';

/** One mutation applied to a byte string. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; at: number; count: number };

const EXTREME_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0xc0, 0xed];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...EXTREME_BYTES), fc.integer({ min: 0, max: 255 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 16 }),
  }),
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[at % n]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[at % n] = m.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert': {
      const out = new Uint8Array(n + m.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'delete': {
      const out = new Uint8Array(Math.max(0, n - Math.min(m.count, n - at)));
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + m.count), at);
      return out;
    }
    case 'duplicate': {
      const piece = bytes.subarray(at, at + m.count);
      const out = new Uint8Array(n + piece.length);
      out.set(bytes.subarray(0, at + piece.length));
      out.set(piece, at + piece.length);
      out.set(bytes.subarray(at + piece.length), at + 2 * piece.length);
      return out;
    }
  }
}

/**
 * Bytes made by `encode` from a random valid value, then mutated 0–4 times
 * (a quarter of the inputs stay valid, so acceptance paths are exercised too).
 */
export function mutatedEncoding<T>(
  valid: fc.Arbitrary<T>,
  encode: (value: T) => Uint8Array,
): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 4 })))
    .map(([value, mutations]) => mutations.reduce(apply, encode(value)));
}

/** Text made by `encode`, then mutated at the character level (for base64url and JSON inputs). */
export function mutatedText<T>(
  valid: fc.Arbitrary<T>,
  encode: (value: T) => string,
): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      text: fc.string({ maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.string({ unit: 'binary', maxLength: 6 }),
    }),
  );
  return fc
    .tuple(valid, fc.oneof(fc.constant([]), fc.array(edit, { minLength: 1, maxLength: 3 })))
    .map(([value, edits]) =>
      edits.reduce((text, e) => {
        const at = e.at % (text.length + 1);
        if (e.kind === 'truncate') return text.slice(0, at);
        if (e.kind === 'insert') return text.slice(0, at) + e.text + text.slice(at);
        return text.slice(0, at) + e.text + text.slice(at + e.text.length);
      }, encode(value)),
    );
}
