import { describe, expect, it } from 'vitest';
import { EndedSessions } from '../../src/core/signaling/ended-sessions';

describe('EndedSessions', () => {
  it('remembers the most recent ids with their reason, and forgets the oldest past its limit', () => {
    const ended = new EndedSessions(3);
    ended.add('a', 'closed');
    ended.add('b', 'expired');
    ended.add('c', 'evicted');
    ended.add('a', 'closed'); // seen again: now the most recent
    ended.add('d', 'refused');
    expect(ended.size).toBe(3);
    expect(ended.reasonFor('b')).toBeUndefined();
    expect(ended.reasonFor('a')).toBe('closed');
    expect(ended.reasonFor('c')).toBe('evicted');
    expect(ended.reasonFor('d')).toBe('refused');
  });
});
