import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ReceiverConnectInit,
  type ReceiverConnection,
  SENDER_RETRY_MS,
  SenderSearch,
} from '../../src/adapters/receiver-connect';
import { FerryError } from '../../src/core/errors';
import type { ProtocolStream } from '../../src/core/session/protocol-stream';
import type { Ticket } from '../../src/core/ticket';

afterEach(() => {
  vi.useRealTimers();
});

/** Connections that play a script: each either waits with the sender absent and is closed by the server, or comes up. */
function scripted(outcomes: ('absent' | 'up' | 'unreachable')[]) {
  const made: ReceiverConnectInit[] = [];
  const streams = [{}] as ProtocolStream[];
  const connect = (init: ReceiverConnectInit): ReceiverConnection => {
    made.push(init);
    const outcome = outcomes.shift() ?? 'absent';
    let result: Promise<ProtocolStream[]>;
    if (outcome === 'up') result = Promise.resolve(streams);
    else {
      if (outcome === 'absent')
        init.onStatus?.({ phase: 'waiting', streamsUp: 0, streams: 1, message: 'Waiting…' });
      result = Promise.reject(
        outcome === 'absent'
          ? new FerryError('Signal/NoSender', 'Nobody is sharing with this link.')
          : new FerryError('Signal/Unreachable', 'No network path was found.'),
      );
    }
    result.catch(() => {});
    return {
      streams: result,
      dropped: { forged: 0, outOfOrder: 0, malformed: 0, overflow: 0 },
      path: async () => null,
      close: () => {},
    };
  };
  return { connect, made, streams };
}

const ticket = { secret: new Uint8Array(32), relayUrl: null, collectionHash: null } as Ticket;

describe('SenderSearch', () => {
  it('keeps looking for an absent sender, saying so, until it is back', async () => {
    vi.useFakeTimers();
    const { connect, made, streams } = scripted(['absent', 'absent', 'absent', 'up']);
    let gone = 0;
    const search = new SenderSearch();
    const found = search.connect({
      ticket,
      relay: 'http://relay.invalid',
      streams: 1,
      connect,
      stopped: () => false,
      onSenderGone: () => gone++,
      onConnection: () => {},
    });
    // Pauses between looks double: 1 s, 2 s, 4 s.
    await vi.advanceTimersByTimeAsync(SENDER_RETRY_MS[0]);
    await vi.advanceTimersByTimeAsync(SENDER_RETRY_MS[0] * 2);
    expect(made).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(SENDER_RETRY_MS[0] * 4);
    await expect(found).resolves.toBe(streams);
    expect(made).toHaveLength(4);
    expect(gone).toBeGreaterThanOrEqual(3);
  });

  it('looks at once when told the page is back, and stops when the run ends', async () => {
    vi.useFakeTimers();
    const { connect, made } = scripted(['absent', 'absent', 'absent']);
    let stopped = false;
    const search = new SenderSearch();
    const found = search.connect({
      ticket,
      relay: 'http://relay.invalid',
      streams: 1,
      connect,
      stopped: () => stopped,
      onSenderGone: () => {},
      onConnection: () => {},
    });
    found.catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(made).toHaveLength(1);
    search.lookNow(); // no timer needed
    await vi.advanceTimersByTimeAsync(0);
    expect(made).toHaveLength(2);
    stopped = true;
    search.lookNow();
    await expect(found).rejects.toMatchObject({ name: 'Signal/NoSender' });
    expect(made).toHaveLength(2);
  });

  it('leaves other failures (no network path) to its caller', async () => {
    const { connect, made } = scripted(['unreachable']);
    const search = new SenderSearch();
    await expect(
      search.connect({
        ticket,
        relay: 'http://relay.invalid',
        streams: 1,
        connect,
        stopped: () => false,
        onSenderGone: () => {},
        onConnection: () => {},
      }),
    ).rejects.toMatchObject({ name: 'Signal/Unreachable' });
    expect(made).toHaveLength(1);
  });
});
