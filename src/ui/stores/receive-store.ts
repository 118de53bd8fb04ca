// SPDX-License-Identifier: MIT
import { createStore } from 'solid-js/store';
import { toHex } from '../../core/bytes';
import { parseTicketInput } from '../../core/ticket';
import { verificationCode } from '../../core/verification-code';

/** What the Receive screen knows about the ticket it was given. */
export interface ReceiveState {
  /** The text in the link box. */
  input: string;
  /** The ticket, once it reads correctly. */
  ticket: { relay: string; collectionCode: string | null; collectionHash: string | null } | null;
  /** Why the link could not be read, as a sentence. */
  error: string | null;
}

/** The origin of a pasted link, or null for bare ticket text. */
function linkOrigin(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** Creates the receive store: reads and checks a ticket link. */
export function createReceiveStore() {
  const [state, setState] = createStore<ReceiveState>({ input: '', ticket: null, error: null });
  const actions = {
    /** Reads a pasted, scanned or opened link; sets either `ticket` or `error`. */
    open(text: string): void {
      setState({ input: text, ticket: null, error: null });
      try {
        const t = parseTicketInput(text);
        setState('ticket', {
          // Without a relay in the ticket, the server is the one that made the link.
          relay: t.relayUrl ?? linkOrigin(text) ?? window.location.origin,
          collectionCode: t.collectionHash ? verificationCode(t.collectionHash) : null,
          collectionHash: t.collectionHash ? toHex(t.collectionHash) : null,
        });
      } catch (err) {
        setState('error', (err as Error).message);
      }
    },
    /** Forgets the ticket. */
    reset(): void {
      setState({ input: '', ticket: null, error: null });
    },
  };
  return [state, actions] as const;
}

/** The receive store's type, for components. */
export type ReceiveStore = ReturnType<typeof createReceiveStore>;
