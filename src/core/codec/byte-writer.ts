// SPDX-License-Identifier: MIT

/** Unused bytes `finish` leaves at the end of its view rather than copying everything (a frame's header room). */
const FINISH_SLACK = 64;

/** Appends fixed-width integers, LEB128 varints and raw bytes to a growing buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;
  /** True while writing into a buffer the caller lent (`into`): `finish` then never copies. */
  private lent = false;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /**
   * A writer over `buffer`, reused from frame to frame (its old bytes are
   * overwritten): no allocation while the frame fits, a new buffer if not.
   */
  static into(buffer: Uint8Array): ByteWriter {
    const w = new ByteWriter(0);
    w.buf = buffer;
    w.lent = true;
    return w;
  }

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = Math.max(1, this.buf.length * 2);
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.lent = false;
  }

  /** One byte. */
  u8(value: number): this {
    this.reserve(1);
    this.buf[this.len++] = value & 0xff;
    return this;
  }

  /** Unsigned LEB128 in its shortest form; `value` must be a safe non-negative integer. */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`varint out of range: ${value}`);
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  /** Raw bytes, no length prefix. */
  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** Bytes preceded by their length as a varint. */
  lengthPrefixed(data: Uint8Array): this {
    return this.varint(data.length).bytes(data);
  }

  /**
   * Everything written so far. When the buffer is (nearly) full, or lent
   * (`into`), this is a view of it, not a copy: a 256 KiB block frame is
   * then copied once, not twice. Write nothing after `finish`.
   */
  finish(): Uint8Array {
    if (this.lent || this.buf.length - this.len <= FINISH_SLACK)
      return this.buf.subarray(0, this.len);
    return this.buf.slice(0, this.len);
  }
}
