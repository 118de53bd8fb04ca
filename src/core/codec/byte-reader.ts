// SPDX-License-Identifier: MIT
import { fromUtf8 } from '../bytes';
import { FerryError } from '../errors';

/** Which family of error names a reader throws: `${domain}/Truncated` and so on. */
export type ReaderDomain = 'Manifest' | 'Ticket' | 'Codec' | 'Protocol';

/**
 * Reads untrusted bytes with every length and value bounded. Each failure is
 * a FerryError named after the reader's domain, with a message that says
 * which field was wrong, so a hostile input is refused, never trusted.
 */
export class ByteReader {
  private pos = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly domain: ReaderDomain,
  ) {}

  /** Bytes not yet read. */
  get remaining(): number {
    return this.data.length - this.pos;
  }

  private truncated(field: string): FerryError {
    return new FerryError(
      `${this.domain}/Truncated`,
      `The data ends in the middle of the ${field}.`,
    );
  }

  /** One byte. */
  u8(field: string): number {
    if (this.pos >= this.data.length) throw this.truncated(field);
    return this.data[this.pos++]!;
  }

  /**
   * A shortest-form unsigned LEB128 no larger than `max` (at most 2^53 - 1).
   * Over-long encodings are refused so that every value has one byte form.
   */
  varint(field: string, max: number = Number.MAX_SAFE_INTEGER): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const byte = this.u8(field);
      if (i === 8) {
        // Eight 7-bit groups already hold 56 bits: anything more is over 2^53.
        throw new FerryError(`${this.domain}/OutOfRange`, `The ${field} is larger than 2^53.`);
      }
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) {
          throw new FerryError(
            `${this.domain}/BadEncoding`,
            `The ${field} is not in its shortest form.`,
          );
        }
        break;
      }
      scale *= 0x80;
    }
    if (value > max) {
      throw new FerryError(
        `${this.domain}/OutOfRange`,
        `The ${field} (${value}) is over the limit of ${max}.`,
      );
    }
    return value;
  }

  /** Exactly `length` bytes, as a view (no copy). */
  bytes(field: string, length: number): Uint8Array {
    if (length > this.remaining) throw this.truncated(field);
    const out = this.data.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A varint length (at most `maxLength`) followed by that many bytes. */
  lengthPrefixed(field: string, maxLength: number): Uint8Array {
    const length = this.varint(`${field} length`, maxLength);
    return this.bytes(field, length);
  }

  /** A length-prefixed string that must be valid UTF-8. */
  utf8(field: string, maxBytes: number): string {
    const text = fromUtf8(this.lengthPrefixed(field, maxBytes));
    if (text === null)
      throw new FerryError(`${this.domain}/BadEncoding`, `The ${field} is not valid UTF-8.`);
    return text;
  }

  /** Throws unless every byte has been read: trailing garbage is refused, not ignored. */
  end(what: string): void {
    if (this.remaining !== 0) {
      throw new FerryError(
        `${this.domain}/TrailingBytes`,
        `The ${what} has ${this.remaining} unexpected bytes at its end.`,
      );
    }
  }
}
