// SPDX-License-Identifier: MIT
// End-to-end sealing of signaling messages with keys derived from the ticket
// secret. The rendezvous server sees the room id and ciphertext only, so it
// can neither read nor forge a handshake (and so cannot swap a DTLS
// fingerprint): a man in the middle would need the ticket.
import { fromBase64Url, toBase64Url, utf8 } from '../core/bytes';
import type { Role } from '../core/signaling/messages';

const SALT = utf8('ferry/v1 signaling');
const SEAL_VERSION = 1;
/** Bytes of the session id a receiver picks for each connection attempt. */
export const SESSION_ID_SIZE = 16;
const HEADER_SIZE = 1 + SESSION_ID_SIZE + 1 + 4;
const IV_SIZE = 12;
/** Most messages waiting to be opened at once; past it, more are dropped (a flood, not a handshake). */
export const MAX_PENDING_OPENS = 256;

/** What the ticket secret yields: the public room id and the private sealing key. */
export interface RoomKeys {
  roomId: string;
  key: CryptoKey;
}

/** Derives the room id and AES-GCM key from a ticket's 256-bit secret (HKDF-SHA-256, two labels). */
export async function deriveRoomKeys(secret: Uint8Array): Promise<RoomKeys> {
  const master = await crypto.subtle.importKey(
    'raw',
    secret as Uint8Array<ArrayBuffer>,
    'HKDF',
    false,
    ['deriveBits', 'deriveKey'],
  );
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: utf8(info) });
  const roomBits = await crypto.subtle.deriveBits(hkdf('room id'), master, 256);
  const key = await crypto.subtle.deriveKey(
    hkdf('seal key'),
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return { roomId: toBase64Url(new Uint8Array(roomBits)), key };
}

/** Counts of sealed messages refused, by reason; never acted on. */
export interface DropCounts {
  /** Failed authentication: altered, reflected, wrong key or wrong session. */
  forged: number;
  /** Authentic, but numbered at or below one already accepted: replayed or reordered. */
  outOfOrder: number;
  /** Not a sealed message at all. */
  malformed: number;
  /** Arrived while `MAX_PENDING_OPENS` others were waiting to be opened. */
  overflow: number;
}

/**
 * One direction-aware sealed conversation between a receiver and the sender.
 * Each message binds (version, session id, direction, sequence number) as
 * AES-GCM additional data: a message replayed, reflected back, reordered,
 * altered or from another session fails and is dropped and counted. Gaps
 * are allowed (a message numbered above the last accepted one opens), so one
 * message lost by the server or a reconnecting socket does not desynchronise
 * every later one.
 */
export class SealedSession {
  private sendSeq = 0;
  /** The lowest sequence number still acceptable: one above the last accepted. */
  private recvSeq = 0;
  /** Refused messages, by reason. */
  readonly dropped: DropCounts = { forged: 0, outOfOrder: 0, malformed: 0, overflow: 0 };
  private pendingOpens = 0;

  constructor(
    private readonly key: CryptoKey,
    /** Random id the receiver chose for this session. */
    readonly sessionId: Uint8Array,
    private readonly role: Role,
  ) {}

  private header(direction: number, seq: number): Uint8Array {
    const h = new Uint8Array(HEADER_SIZE);
    h[0] = SEAL_VERSION;
    h.set(this.sessionId, 1);
    h[1 + SESSION_ID_SIZE] = direction;
    new DataView(h.buffer).setUint32(2 + SESSION_ID_SIZE, seq);
    return h;
  }

  private sealQueue: Promise<unknown> = Promise.resolve();
  private openQueue: Promise<unknown> = Promise.resolve();

  /** Seals a JSON-able value as base64url text for the server to relay. Calls complete in call order. */
  seal(value: unknown): Promise<string> {
    const result = this.sealQueue.then(() => this.sealNow(value));
    this.sealQueue = result.catch(() => {});
    return result;
  }

  /**
   * Opens a sealed message from the other side, or returns null (counted in
   * `dropped`) when it is malformed, forged, replayed, reflected or out of
   * order, or arrives in a flood (more than `MAX_PENDING_OPENS` waiting).
   * Calls are processed one at a time, in call order.
   */
  open(text: string): Promise<unknown | null> {
    if (this.pendingOpens >= MAX_PENDING_OPENS) {
      this.dropped.overflow++;
      return Promise.resolve(null);
    }
    this.pendingOpens++;
    const result = this.openQueue.then(() => this.openNow(text));
    this.openQueue = result.then(
      () => {
        this.pendingOpens--;
      },
      () => {
        this.pendingOpens--;
      },
    );
    return result;
  }

  private async sealNow(value: unknown): Promise<string> {
    const header = this.header(this.role === 'recv' ? 0 : 1, this.sendSeq++);
    const iv = crypto.getRandomValues(new Uint8Array(IV_SIZE));
    const plain = utf8(JSON.stringify(value));
    const cipher = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: header as Uint8Array<ArrayBuffer> },
        this.key,
        plain as Uint8Array<ArrayBuffer>,
      ),
    );
    const out = new Uint8Array(HEADER_SIZE + IV_SIZE + cipher.length);
    out.set(header);
    out.set(iv, HEADER_SIZE);
    out.set(cipher, HEADER_SIZE + IV_SIZE);
    return toBase64Url(out);
  }

  private async openNow(text: string): Promise<unknown | null> {
    const bytes = fromBase64Url(text);
    if (!bytes || bytes.length < HEADER_SIZE + IV_SIZE + 16) {
      this.dropped.malformed++;
      return null;
    }
    const header = bytes.subarray(0, HEADER_SIZE);
    const seq = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2 + SESSION_ID_SIZE);
    // Authenticate against the header we expect (our session, the other side's direction) with the
    // number the message claims: the key binds it, so a forged number fails like any forgery.
    const expected = this.header(this.role === 'recv' ? 1 : 0, seq);
    if (!headerMatchesExceptSeq(header, expected)) {
      this.dropped.forged++;
      return null;
    }
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: bytes.subarray(HEADER_SIZE, HEADER_SIZE + IV_SIZE) as Uint8Array<ArrayBuffer>,
          additionalData: expected as Uint8Array<ArrayBuffer>,
        },
        this.key,
        bytes.subarray(HEADER_SIZE + IV_SIZE) as Uint8Array<ArrayBuffer>,
      );
    } catch {
      this.dropped.forged++;
      return null;
    }
    // Authentic; still refused when it is not newer than the last accepted (a replay or a reorder).
    if (seq < this.recvSeq) {
      this.dropped.outOfOrder++;
      return null;
    }
    this.recvSeq = seq + 1;
    try {
      return JSON.parse(new TextDecoder().decode(plain));
    } catch {
      this.dropped.malformed++;
      return null;
    }
  }
}

function headerMatchesExceptSeq(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < HEADER_SIZE - 4; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reads the session id from a sealed message without opening it (the sender learns a new session this way). */
export function peekSessionId(text: string): Uint8Array | null {
  const bytes = fromBase64Url(text);
  if (!bytes || bytes.length < HEADER_SIZE || bytes[0] !== SEAL_VERSION) return null;
  return bytes.slice(1, 1 + SESSION_ID_SIZE);
}
