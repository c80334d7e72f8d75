package escalation

import "github.com/redis/go-redis/v9"

// The Redis store runs each transition as one Lua script, so a transition is
// atomic and a retry cannot apply it twice: every script first compares the
// ticket's last operation id (a retry returns the ticket unchanged) and the
// expected revision, then checks the state exactly as ticket.go does.
//
// A ticket is a hash <prefix>{channel}:t:<n>:
//
//	channel number kind source text msgid context state rev created updated
//	claimed_by claimed_at lease_until answer answered_by answered_at
//	first_response closed_by closed_at reason reopens reminded_at lastop
//	count acount   a:<i> (asker JSON) u:<i> (asker login) au:<login> (i)
//	dlv:<login> (when the answer reached that asker) exp:<login> (when the bot
//	gave up waiting for them)
//
// Times are Unix milliseconds, 0 for none. The channel's other keys are
// <prefix>{channel}:seq (numbers), :msg (message id → number, for idempotent
// filing), :open and :all (sorted sets by creation time) and :owed (login →
// ",n,m," the tickets whose answer is owed to that viewer).
//
// Every key of a channel carries the {channel} hash tag, so they share one
// Cluster slot. The create script builds the new ticket's key itself (its
// number comes from INCR inside the script); that key has the same tag, and
// the scripts declare no flags, which is what lets them touch it.

// luaPrelude is shared by every script.
const luaPrelude = `
local function ms(x) return string.format('%d', x) end
local function num(v) return tonumber(v) or 0 end
local function reply(key) return {'ok', redis.call('HGETALL', key)} end
local function refuse(key, code) return {'refused', code, redis.call('HGETALL', key)} end
local function is_open(st) return st == 'new' or st == 'claimed' or st == 'answered' end
local function begin(key, opid, rev)
  if redis.call('EXISTS', key) == 0 then return {'missing'} end
  if opid ~= '' and redis.call('HGET', key, 'lastop') == opid then return reply(key) end
  if num(rev) ~= 0 and num(redis.call('HGET', key, 'rev')) ~= num(rev) then return refuse(key, 'stale') end
  return nil
end
local function finish(key, at, opid)
  redis.call('HINCRBY', key, 'rev', 1)
  redis.call('HSET', key, 'updated', at)
  if opid ~= '' then redis.call('HSET', key, 'lastop', opid) end
end
local function users(key)
  local out = {}
  for i = 1, num(redis.call('HGET', key, 'acount')) do out[i] = redis.call('HGET', key, 'u:' .. i) end
  return out
end
local function owed_add(owed, user, n)
  local cur = redis.call('HGET', owed, user) or ','
  if not string.find(cur, ',' .. n .. ',', 1, true) then redis.call('HSET', owed, user, cur .. n .. ',') end
end
local function owed_del(owed, user, n)
  local cur = redis.call('HGET', owed, user)
  if not cur then return end
  local s, e = string.find(cur, ',' .. n .. ',', 1, true)
  if not s then return end
  cur = string.sub(cur, 1, s) .. string.sub(cur, e + 1)
  if cur == ',' then redis.call('HDEL', owed, user) else redis.call('HSET', owed, user, cur) end
end
local function sync(key, open, owed, n)
  local st = redis.call('HGET', key, 'state')
  if is_open(st) then redis.call('ZADD', open, redis.call('HGET', key, 'created'), n) else redis.call('ZREM', open, n) end
  local owes = (redis.call('HGET', key, 'answer') or '') ~= '' and st ~= 'dismissed'
  for _, u in ipairs(users(key)) do
    if owes and redis.call('HEXISTS', key, 'dlv:' .. u) == 0 and redis.call('HEXISTS', key, 'exp:' .. u) == 0 then
      owed_add(owed, u, n)
    else
      owed_del(owed, u, n)
    end
  end
end
local function holder_live(key, by, at)
  return redis.call('HGET', key, 'state') == 'claimed' and redis.call('HGET', key, 'claimed_by') ~= by
    and at < num(redis.call('HGET', key, 'lease_until'))
end
`

// KEYS: seq, msg, open, all. ARGV: ticket key prefix, message id, channel,
// kind, source, text, context JSON, at, max askers, then login and JSON per
// asker.
var scriptCreate = redis.NewScript(luaPrelude + `
local prefix, msgid, at = ARGV[1], ARGV[2], ARGV[8]
local existing = redis.call('HGET', KEYS[2], msgid)
if existing then return {'ok', redis.call('HGETALL', prefix .. existing), 0} end
local n = redis.call('INCR', KEYS[1])
local key = prefix .. n
redis.call('HSET', key, 'channel', ARGV[3], 'number', n, 'kind', ARGV[4], 'source', ARGV[5], 'text', ARGV[6],
  'msgid', msgid, 'context', ARGV[7], 'state', 'new', 'rev', 1, 'created', at, 'updated', at,
  'claimed_by', '', 'claimed_at', 0, 'lease_until', 0, 'answer', '', 'answered_by', '', 'answered_at', 0,
  'first_response', 0, 'closed_by', '', 'closed_at', 0, 'reason', '', 'reopens', 0, 'reminded_at', 0, 'lastop', '')
local max, count, stored = tonumber(ARGV[9]), 0, 0
for i = 10, #ARGV, 2 do
  local user = ARGV[i]
  if redis.call('HEXISTS', key, 'au:' .. user) == 0 and not (stored >= max) then
    stored = stored + 1
    redis.call('HSET', key, 'a:' .. stored, ARGV[i + 1], 'u:' .. stored, user, 'au:' .. user, stored)
  end
  count = count + 1
end
redis.call('HSET', key, 'count', count, 'acount', stored)
redis.call('HSET', KEYS[2], msgid, n)
redis.call('ZADD', KEYS[3], at, n)
redis.call('ZADD', KEYS[4], at, n)
return {'ok', redis.call('HGETALL', key), 1}
`)

// The transitions share KEYS: ticket, open, owed, and start their ARGV with
// number, by, at, operation id, expected revision.

var scriptJoin = redis.NewScript(luaPrelude + `
local key, n, at, opid = KEYS[1], ARGV[1], ARGV[3], ARGV[4]
local r = begin(key, opid, ARGV[5]) if r then return r end
if not is_open(redis.call('HGET', key, 'state')) then return refuse(key, 'state') end
local user, asker, max = ARGV[6], ARGV[7], tonumber(ARGV[8])
if redis.call('HEXISTS', key, 'au:' .. user) == 1 then return reply(key) end
local stored = num(redis.call('HGET', key, 'acount'))
if stored < max then
  stored = stored + 1
  redis.call('HSET', key, 'acount', stored, 'a:' .. stored, asker, 'u:' .. stored, user, 'au:' .. user, stored)
end
redis.call('HINCRBY', key, 'count', 1)
finish(key, at, opid)
sync(key, KEYS[2], KEYS[3], n)
return reply(key)
`)

// ARGV[6]: lease in milliseconds.
var scriptClaim = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], num(ARGV[3]), ARGV[4]
local r = begin(key, opid, ARGV[5]) if r then return r end
local st = redis.call('HGET', key, 'state')
if st ~= 'new' and st ~= 'claimed' then return refuse(key, 'state') end
if holder_live(key, by, at) then return refuse(key, 'claimed') end
if st ~= 'claimed' or redis.call('HGET', key, 'claimed_by') ~= by then redis.call('HSET', key, 'claimed_at', ms(at)) end
redis.call('HSET', key, 'state', 'claimed', 'claimed_by', by, 'lease_until', ms(at + num(ARGV[6])))
finish(key, ARGV[3], opid)
sync(key, KEYS[2], KEYS[3], n)
return reply(key)
`)

// ARGV[6]: the answer.
var scriptAnswer = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], num(ARGV[3]), ARGV[4]
local r = begin(key, opid, ARGV[5]) if r then return r end
local st = redis.call('HGET', key, 'state')
if st ~= 'new' and st ~= 'claimed' and st ~= 'answered' then return refuse(key, 'state') end
if holder_live(key, by, at) then return refuse(key, 'claimed') end
if st ~= 'claimed' or redis.call('HGET', key, 'claimed_by') ~= by then
  redis.call('HSET', key, 'claimed_by', by, 'claimed_at', ARGV[3])
end
redis.call('HSET', key, 'state', 'answered', 'lease_until', 0, 'answer', ARGV[6], 'answered_by', by, 'answered_at', ARGV[3])
if num(redis.call('HGET', key, 'first_response')) == 0 then redis.call('HSET', key, 'first_response', ARGV[3]) end
for _, u in ipairs(users(key)) do redis.call('HDEL', key, 'dlv:' .. u, 'exp:' .. u) end
finish(key, ARGV[3], opid)
sync(key, KEYS[2], KEYS[3], n)
return reply(key)
`)

var scriptResolve = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local r = begin(key, opid, ARGV[5]) if r then return r end
if not is_open(redis.call('HGET', key, 'state')) then return refuse(key, 'state') end
redis.call('HSET', key, 'state', 'resolved', 'lease_until', 0, 'closed_by', by, 'closed_at', at)
finish(key, at, opid)
sync(key, KEYS[2], KEYS[3], n)
return reply(key)
`)

// ARGV[6]: the reason.
var scriptDismiss = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local r = begin(key, opid, ARGV[5]) if r then return r end
if not is_open(redis.call('HGET', key, 'state')) then return refuse(key, 'state') end
redis.call('HSET', key, 'state', 'dismissed', 'lease_until', 0, 'closed_by', by, 'closed_at', at, 'reason', ARGV[6])
finish(key, at, opid)
sync(key, KEYS[2], KEYS[3], n)
return reply(key)
`)

var scriptReopen = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local r = begin(key, opid, ARGV[5]) if r then return r end
if redis.call('HGET', key, 'state') ~= 'resolved' then return refuse(key, 'state') end
redis.call('HSET', key, 'state', 'new', 'claimed_by', '', 'claimed_at', 0, 'lease_until', 0, 'closed_by', '', 'closed_at', 0)
redis.call('HINCRBY', key, 'reopens', 1)
finish(key, at, opid)
sync(key, KEYS[2], KEYS[3], n)
return reply(key)
`)

// Delivered and Expire. ARGV[6]: the asker's login; ARGV[7]: 'dlv' when the
// answer reached them, 'exp' when the bot gave up. Returns {'changed', 0|1}.
var scriptSettle = redis.NewScript(luaPrelude + `
local key, n, at, opid = KEYS[1], ARGV[1], ARGV[3], ARGV[4]
if redis.call('EXISTS', key) == 0 then return {'missing'} end
local user, how = ARGV[6], ARGV[7]
if (redis.call('HGET', key, 'answer') or '') == '' or redis.call('HGET', key, 'state') == 'dismissed' then return {'changed', 0} end
if redis.call('HEXISTS', key, 'au:' .. user) == 0 then return {'changed', 0} end
if redis.call('HEXISTS', key, 'dlv:' .. user) == 1 or redis.call('HEXISTS', key, 'exp:' .. user) == 1 then return {'changed', 0} end
redis.call('HSET', key, how .. ':' .. user, at)
finish(key, at, opid)
sync(key, KEYS[2], KEYS[3], n)
return {'changed', 1}
`)

// ARGV[6]: the least time between reminders, in milliseconds.
var scriptRemind = redis.NewScript(luaPrelude + `
local key, n, at, opid = KEYS[1], ARGV[1], num(ARGV[3]), ARGV[4]
if redis.call('EXISTS', key) == 0 then return {'missing'} end
if not is_open(redis.call('HGET', key, 'state')) then return {'changed', 0} end
local last = num(redis.call('HGET', key, 'reminded_at'))
if last ~= 0 and at - last < num(ARGV[6]) then return {'changed', 0} end
redis.call('HSET', key, 'reminded_at', ARGV[3])
finish(key, ARGV[3], opid)
return {'changed', 1}
`)

// allScripts are preloaded when the store opens.
var allScripts = []*redis.Script{
	scriptCreate, scriptJoin, scriptClaim, scriptAnswer, scriptResolve,
	scriptDismiss, scriptReopen, scriptSettle, scriptRemind,
}
