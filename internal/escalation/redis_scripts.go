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

// luaPrelude is shared by every script. A transition reads the fields it
// decides on with one HMGET and writes with one HSET, and returns only its
// verdict: each redis.call from Lua, and each value Lua hands back, costs
// far more than the same command sent directly, and the scripts run on
// Redis's only thread. The caller reads the ticket with a plain HGETALL in
// the same MULTI, so it sees the ticket exactly as the script left it.
const luaPrelude = `
local function ms(x) return string.format('%d', x) end
local function num(v) return tonumber(v) or 0 end
local function reply(key) return {'ok'} end
local function refuse(key, code) return {'refused', code} end
local function is_open(st) return st == 'new' or st == 'claimed' or st == 'answered' end
local F = {'state', 'rev', 'lastop', 'claimed_by', 'lease_until', 'answer', 'acount', 'count', 'created', 'first_response', 'reminded_at', 'reopens'}
local function load(key)
  local v = redis.call('HMGET', key, unpack(F))
  if not v[1] then return nil end
  local t = {}
  for i, f in ipairs(F) do t[f] = v[i] or '' end
  return t
end
local function begin(key, t, opid, rev)
  if not t then return {'missing'} end
  if opid ~= '' and t.lastop == opid then return reply(key) end
  if num(rev) ~= 0 and num(t.rev) ~= num(rev) then return refuse(key, 'stale') end
  return nil
end
local function save(key, t, at, opid, fields)
  local args = {'HSET', key, 'rev', num(t.rev) + 1, 'updated', at}
  if opid ~= '' then args[#args + 1] = 'lastop'; args[#args + 1] = opid end
  for _, v in ipairs(fields) do args[#args + 1] = v end
  redis.call(unpack(args))
end
local function users(key, t)
  local n = num(t.acount)
  if n == 0 then return {} end
  local f = {}
  for i = 1, n do f[i] = 'u:' .. i end
  return redis.call('HMGET', key, unpack(f))
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
local f = {'HSET', key, 'channel', ARGV[3], 'number', n, 'kind', ARGV[4], 'source', ARGV[5], 'text', ARGV[6],
  'msgid', msgid, 'context', ARGV[7], 'state', 'new', 'rev', 1, 'created', at, 'updated', at,
  'claimed_by', '', 'claimed_at', 0, 'lease_until', 0, 'answer', '', 'answered_by', '', 'answered_at', 0,
  'first_response', 0, 'closed_by', '', 'closed_at', 0, 'reason', '', 'reopens', 0, 'reminded_at', 0, 'lastop', ''}
local max, count, stored, seen = tonumber(ARGV[9]), 0, 0, {}
for i = 10, #ARGV, 2 do
  local user = ARGV[i]
  if not seen[user] then
    seen[user] = true
    count = count + 1
    if stored < max then
      stored = stored + 1
      for _, v in ipairs({'a:' .. stored, ARGV[i + 1], 'u:' .. stored, user, 'au:' .. user, stored}) do f[#f + 1] = v end
    end
  end
end
for _, v in ipairs({'count', count, 'acount', stored}) do f[#f + 1] = v end
redis.call(unpack(f))
redis.call('HSET', KEYS[2], msgid, n)
redis.call('ZADD', KEYS[3], at, n)
redis.call('ZADD', KEYS[4], at, n)
return {'ok', redis.call('HGETALL', key), 1}
`)

// The transitions share KEYS: ticket, open, owed, and start their ARGV with
// number, by, at, operation id, expected revision.

// ARGV[6]: the asker's login; ARGV[7]: their JSON; ARGV[8]: max askers kept.
var scriptJoin = redis.NewScript(luaPrelude + `
local key, n, at, opid = KEYS[1], ARGV[1], ARGV[3], ARGV[4]
local t = load(key)
local r = begin(key, t, opid, ARGV[5]) if r then return r end
if not is_open(t.state) then return refuse(key, 'state') end
local user = ARGV[6]
if redis.call('HEXISTS', key, 'au:' .. user) == 1 then return reply(key) end
local stored = num(t.acount)
local f = {'count', num(t.count) + 1}
if stored < tonumber(ARGV[8]) then
  stored = stored + 1
  for _, v in ipairs({'acount', stored, 'a:' .. stored, ARGV[7], 'u:' .. stored, user, 'au:' .. user, stored}) do f[#f + 1] = v end
  if t.answer ~= '' then owed_add(KEYS[3], user, n) end
end
save(key, t, at, opid, f)
return reply(key)
`)

// ARGV[6]: lease in milliseconds.
var scriptClaim = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], num(ARGV[3]), ARGV[4]
local t = load(key)
local r = begin(key, t, opid, ARGV[5]) if r then return r end
if t.state ~= 'new' and t.state ~= 'claimed' then return refuse(key, 'state') end
if t.state == 'claimed' and t.claimed_by ~= by and at < num(t.lease_until) then return refuse(key, 'claimed') end
local f = {'state', 'claimed', 'claimed_by', by, 'lease_until', ms(at + num(ARGV[6]))}
if t.state ~= 'claimed' or t.claimed_by ~= by then f[#f + 1] = 'claimed_at'; f[#f + 1] = ARGV[3] end
save(key, t, ARGV[3], opid, f)
return reply(key)
`)

// ARGV[6]: the answer.
var scriptAnswer = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], num(ARGV[3]), ARGV[4]
local t = load(key)
local r = begin(key, t, opid, ARGV[5]) if r then return r end
if t.state ~= 'new' and t.state ~= 'claimed' and t.state ~= 'answered' then return refuse(key, 'state') end
if t.state == 'claimed' and t.claimed_by ~= by and at < num(t.lease_until) then return refuse(key, 'claimed') end
local f = {'state', 'answered', 'lease_until', 0, 'answer', ARGV[6], 'answered_by', by, 'answered_at', ARGV[3]}
if t.state ~= 'claimed' or t.claimed_by ~= by then
  for _, v in ipairs({'claimed_by', by, 'claimed_at', ARGV[3]}) do f[#f + 1] = v end
end
if num(t.first_response) == 0 then f[#f + 1] = 'first_response'; f[#f + 1] = ARGV[3] end
local us = users(key, t)
local settled = {'HDEL', key}
for _, u in ipairs(us) do
  settled[#settled + 1] = 'dlv:' .. u
  settled[#settled + 1] = 'exp:' .. u
  owed_add(KEYS[3], u, n)
end
if #settled > 2 then redis.call(unpack(settled)) end
save(key, t, ARGV[3], opid, f)
return reply(key)
`)

var scriptResolve = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local t = load(key)
local r = begin(key, t, opid, ARGV[5]) if r then return r end
if not is_open(t.state) then return refuse(key, 'state') end
save(key, t, at, opid, {'state', 'resolved', 'lease_until', 0, 'closed_by', by, 'closed_at', at})
redis.call('ZREM', KEYS[2], n)
return reply(key)
`)

// ARGV[6]: the reason.
var scriptDismiss = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local t = load(key)
local r = begin(key, t, opid, ARGV[5]) if r then return r end
if not is_open(t.state) then return refuse(key, 'state') end
save(key, t, at, opid, {'state', 'dismissed', 'lease_until', 0, 'closed_by', by, 'closed_at', at, 'reason', ARGV[6]})
redis.call('ZREM', KEYS[2], n)
for _, u in ipairs(users(key, t)) do owed_del(KEYS[3], u, n) end
return reply(key)
`)

var scriptReopen = redis.NewScript(luaPrelude + `
local key, n, by, at, opid = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local t = load(key)
local r = begin(key, t, opid, ARGV[5]) if r then return r end
if t.state ~= 'resolved' then return refuse(key, 'state') end
save(key, t, at, opid, {'state', 'new', 'claimed_by', '', 'claimed_at', 0, 'lease_until', 0, 'closed_by', '', 'closed_at', 0,
  'reopens', num(t.reopens) + 1})
redis.call('ZADD', KEYS[2], t.created, n)
return reply(key)
`)

// Delivered and Expire. ARGV[6]: the asker's login; ARGV[7]: 'dlv' when the
// answer reached them, 'exp' when the bot gave up. Returns {'changed', 0|1}.
var scriptSettle = redis.NewScript(luaPrelude + `
local key, n, at, opid = KEYS[1], ARGV[1], ARGV[3], ARGV[4]
local t = load(key)
if not t then return {'missing'} end
local user, how = ARGV[6], ARGV[7]
if t.answer == '' or t.state == 'dismissed' then return {'changed', 0} end
local v = redis.call('HMGET', key, 'au:' .. user, 'dlv:' .. user, 'exp:' .. user)
if not v[1] or v[2] or v[3] then return {'changed', 0} end
save(key, t, at, opid, {how .. ':' .. user, at})
owed_del(KEYS[3], user, n)
return {'changed', 1}
`)

// ARGV[6]: the least time between reminders, in milliseconds.
var scriptRemind = redis.NewScript(luaPrelude + `
local key, n, at, opid = KEYS[1], ARGV[1], num(ARGV[3]), ARGV[4]
local t = load(key)
if not t then return {'missing'} end
if not is_open(t.state) then return {'changed', 0} end
local last = num(t.reminded_at)
if last ~= 0 and at - last < num(ARGV[6]) then return {'changed', 0} end
save(key, t, ARGV[3], opid, {'reminded_at', ARGV[3]})
return {'changed', 1}
`)

// allScripts are preloaded when the store opens.
var allScripts = []*redis.Script{
	scriptCreate, scriptJoin, scriptClaim, scriptAnswer, scriptResolve,
	scriptDismiss, scriptReopen, scriptSettle, scriptRemind,
}
