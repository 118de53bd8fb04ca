// SPDX-License-Identifier: MIT
// The Lua scripts of the Redis room bus. Each runs atomically in Redis, so a
// join sees the claim hash, the receiver cap and the room count of one
// moment, and a message is appended to its target node's inbox stream in the
// order the scripts ran. Keys (P is the configured prefix):
//   P room:<id>    hash: claim (SHA-256 hex, or ''), sender, senderNode; expires with the room
//   P recv:<id>    hash: receiver peer id → node id; expires with the room
//   P rooms        sorted set: room id → expiry (ms), for the global room cap
//   P node:<node>  heartbeat, a string with a TTL a live node keeps refreshing
//   P nodes        set of node ids, for the others to find dead ones
//   P peers:<node> hash: peer id → "<role> <room id>", what to clean up if the node dies
//   P inbox:<node> stream: messages for that node's peers, read in order with XREAD
// Inbox entries are `to <peer id> m <ServerMessage JSON>` or `to <peer id> drop 1`
// (the peer was replaced by its own tab elsewhere). Scripts touch keys they
// compute from the prefix: fine on one Redis (or a replicated pair), not on Redis Cluster.
import type { Redis } from 'ioredis';

/** Most entries an inbox keeps (approximate trim): only reached if a node stops reading; see README. */
export const INBOX_MAX_ENTRIES = 100_000;

/** Lua helpers shared by the scripts: time, appending to an inbox, and a member leaving. */
const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function tell(prefix, node, to, message)
  redis.call('XADD', prefix .. 'inbox:' .. node, 'MAXLEN', '~', ${INBOX_MAX_ENTRIES}, '*',
    'to', to, 'm', cjson.encode(message))
end
-- Removes peer_id from room_id only if it is still a member there (a late leave
-- of an expired or replaced member must not touch a newer room of the same id).
local function leave(prefix, room_id, peer_id, role)
  local room_key = prefix .. 'room:' .. room_id
  local recv_key = prefix .. 'recv:' .. room_id
  if role == 'send' then
    if redis.call('HGET', room_key, 'sender') == peer_id then
      redis.call('HDEL', room_key, 'sender', 'senderNode')
      local receivers = redis.call('HGETALL', recv_key)
      for i = 1, #receivers, 2 do
        tell(prefix, receivers[i + 1], receivers[i], { t = 'gone', id = peer_id })
      end
    end
  else
    if redis.call('HDEL', recv_key, peer_id) == 1 then
      local sender = redis.call('HGET', room_key, 'sender')
      if sender then
        tell(prefix, redis.call('HGET', room_key, 'senderNode'), sender, { t = 'gone', id = peer_id })
      end
    end
  end
  if redis.call('EXISTS', room_key) == 1 and redis.call('HEXISTS', room_key, 'sender') == 0
      and redis.call('HLEN', recv_key) == 0 then
    redis.call('DEL', room_key, recv_key)
    redis.call('ZREM', prefix .. 'rooms', room_id)
  end
end
`;

/**
 * KEYS: room, recv, rooms, peers:<node>. ARGV: prefix, room id, peer id, role,
 * claim hash ('' for none), node id, lifetime ms, max rooms, max receivers.
 * Returns {'ok', ms left, sender present (0/1), receiver ids…} or {refusal}.
 */
export const JOIN = `${COMMON}
local prefix, room_id, peer_id, role, claim, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local lifetime, max_rooms, max_receivers = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local now = now_ms()
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= max_rooms then return { 'server-full' } end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'claim', '')
  redis.call('PEXPIREAT', KEYS[1], now + lifetime)
  redis.call('ZADD', KEYS[3], now + lifetime, room_id)
  redis.call('PEXPIRE', KEYS[3], lifetime) -- gone with its last room
end
local left = redis.call('PTTL', KEYS[1])
if role == 'send' then
  local present = redis.call('HGET', KEYS[1], 'sender')
  if present then
    local stored = redis.call('HGET', KEYS[1], 'claim')
    -- Hashes of 32 random bytes: comparing them in variable time reveals nothing usable.
    if claim == '' or stored == '' or stored ~= claim then return { 'sender-exists' } end
    local old_node = redis.call('HGET', KEYS[1], 'senderNode')
    redis.call('HDEL', prefix .. 'peers:' .. old_node, present)
    redis.call('XADD', prefix .. 'inbox:' .. old_node, 'MAXLEN', '~', ${INBOX_MAX_ENTRIES}, '*',
      'to', present, 'drop', '1')
  end
  redis.call('HSET', KEYS[1], 'sender', peer_id, 'senderNode', node, 'claim', claim)
  redis.call('HSET', KEYS[4], peer_id, 'send ' .. room_id)
  local result = { 'ok', left, 1 }
  local receivers = redis.call('HGETALL', KEYS[2])
  for i = 1, #receivers, 2 do
    tell(prefix, receivers[i + 1], receivers[i], { t = 'sender' })
    result[#result + 1] = receivers[i]
  end
  return result
end
if redis.call('HLEN', KEYS[2]) >= max_receivers then return { 'room-full' } end
redis.call('HSET', KEYS[2], peer_id, node)
redis.call('PEXPIRE', KEYS[2], left)
redis.call('HSET', KEYS[4], peer_id, 'recv ' .. room_id)
local sender = redis.call('HGET', KEYS[1], 'sender')
if sender then
  tell(prefix, redis.call('HGET', KEYS[1], 'senderNode'), sender, { t = 'peer', id = peer_id })
  return { 'ok', left, 1 }
end
return { 'ok', left, 0 }
`;

/**
 * KEYS: room, recv. ARGV: prefix, from peer id, role, to ('' for the sender), sealed data.
 * Returns 1 when appended to the target's inbox, 0 when there is no such peer.
 */
export const RELAY = `${COMMON}
local prefix, from, role, to, data = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local message = { t = 'relay', from = from, data = data }
if role == 'send' then
  if redis.call('HGET', KEYS[1], 'sender') ~= from then return 0 end
  local node = redis.call('HGET', KEYS[2], to)
  if not node then return 0 end
  tell(prefix, node, to, message)
  return 1
end
if redis.call('HEXISTS', KEYS[2], from) == 0 then return 0 end
local sender = redis.call('HGET', KEYS[1], 'sender')
if not sender or (to ~= '' and to ~= sender) then return 0 end
tell(prefix, redis.call('HGET', KEYS[1], 'senderNode'), sender, message)
return 1
`;

/** KEYS: peers:<node>. ARGV: prefix, room id, peer id, role. */
export const LEAVE = `${COMMON}
redis.call('HDEL', KEYS[1], ARGV[3])
leave(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
`;

/**
 * Removes a dead node: every member it had leaves its room (the other side
 * hears "gone"), then its inbox and records go. Does nothing while its
 * heartbeat lives, so two nodes reaping at once, or a node that was only
 * slow, are both safe. KEYS: node:<dead>, peers:<dead>, inbox:<dead>, nodes.
 * ARGV: prefix, dead node id. Returns how many members it removed, or -1 if alive.
 */
export const REAP = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local members = redis.call('HGETALL', KEYS[2])
for i = 1, #members, 2 do
  local role, room_id = string.match(members[i + 1], '^(%a+) (.+)$')
  if role then leave(ARGV[1], room_id, members[i], role) end
end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[2])
return #members / 2
`;

/**
 * Refreshes this node's heartbeat; returns 0 when it was gone (Redis lost its
 * data, or the others reaped this node): the node's rooms are gone with it.
 * KEYS: node:<self>. ARGV: ttl ms.
 */
export const HEARTBEAT = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 1 then return 1 end
return 0
`;

/** The scripts by name, with how many of their arguments are keys. */
const SCRIPTS = {
  JOIN: { lua: JOIN, numberOfKeys: 4 },
  RELAY: { lua: RELAY, numberOfKeys: 2 },
  LEAVE: { lua: LEAVE, numberOfKeys: 1 },
  REAP: { lua: REAP, numberOfKeys: 4 },
  HEARTBEAT: { lua: HEARTBEAT, numberOfKeys: 1 },
} as const;

/** Registers the scripts on a connection (ioredis runs them by SHA, reloading after a Redis restart). */
export function defineScripts(redis: Redis): void {
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(`ferry${name}`, script);
}

/** A script as a function of its keys, then its arguments. */
export function runScript(
  redis: Redis,
  name: keyof typeof SCRIPTS,
): (...args: (string | number)[]) => Promise<unknown> {
  const run = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
    `ferry${name}`
  ]!;
  return run.bind(redis);
}
