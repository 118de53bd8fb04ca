// SPDX-License-Identifier: MIT
import type { ReceiverStatus } from '../../adapters/receiver-connect';
import type { PreparingStatus } from '../../core/protocol/message-types';
import type { PathSummary } from '../../core/session/connection-path';
import type { Offer } from './offered-files';

/** The transfer, once the person asked to receive. */
export interface TransferState {
  phase: 'preparing' | 'receiving' | 'paused' | 'reconnecting' | 'done' | 'stopped' | 'cancelled';
  message: string;
}

/** What the Receive screen knows. */
export interface ReceiveState {
  /** The text in the link box. */
  input: string;
  /** The ticket, once it reads correctly. */
  ticket: { relay: string; collectionCode: string | null; collectionHash: string | null } | null;
  /** The connection, once one is being made. */
  connection: ReceiverStatus | null;
  /** Round trip per stream, ms, once measured. */
  rtts: number[];
  /** Direct or relayed (and the round trip), from WebRTC stats, once connected. */
  path: PathSummary | null;
  /** How far the sender has come checking its files, while it has no file list yet. */
  senderPreparing: PreparingStatus | null;
  offer: Offer | null;
  transfer: TransferState | null;
  /** True where this browser can write into a folder the person picks. */
  canSaveToFolder: boolean;
  /** What the last "Save to folder" did, as a sentence. */
  saved: string | null;
  /** Why something failed, as a sentence. */
  error: string | null;
}

/** The origin of a pasted link, or null for bare ticket text. */
export function linkOrigin(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** The Receive screen with nothing opened. */
export const EMPTY: ReceiveState = {
  input: '',
  ticket: null,
  connection: null,
  rtts: [],
  path: null,
  senderPreparing: null,
  offer: null,
  transfer: null,
  canSaveToFolder: false,
  saved: null,
  error: null,
};
