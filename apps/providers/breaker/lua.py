"""The breaker state machine as Redis Lua scripts: one script per operation, so every step is
atomic across processes. Kept step for step in line with ``stores._Machine``.

KEYS: 1 state hash, 2 window list (outcome codes, newest first: bit 0 failed, bit 1 slow),
3 trial hash (trial id -> expiry). Hash fields: st (closed/open/half_open), ov (operator override:
auto/forced_open/disabled), ep (epoch: a permit counts only in the epoch it was issued in), oa
(opened at), hs/hsl (half-open successes / slow ones), c/f/s (calls, failures, slow calls in the
window), lta/ltr (last transition at / reason).

ARGV 1..9: now ("" = Redis server time), failure_threshold, failure_rate_threshold, window_size,
minimum_calls, slow_call_rate_threshold, open_duration, half_open_max_calls, mode ("" = None);
then per script.
Numbers go back as strings: Redis truncates Lua numbers to integers.
"""

PRELUDE = r"""
local H, W, T = KEYS[1], KEYS[2], KEYS[3]
local now = tonumber(ARGV[1])
if not now then
  -- no caller clock: Redis's own, the same for every host whatever their clock skew
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local ft = tonumber(ARGV[2])
local frt = tonumber(ARGV[3])
local ws = tonumber(ARGV[4])
local mc = tonumber(ARGV[5])
local scr = tonumber(ARGV[6])
local od = tonumber(ARGV[7])
local hmax = tonumber(ARGV[8])
local mode = ARGV[9]

local h = redis.call('HMGET', H, 'st', 'ov', 'ep', 'oa', 'hs', 'hsl', 'c', 'f', 's')
local st = h[1] or 'closed'
local ov = h[2] or 'auto'
local ep = tonumber(h[3]) or 0
local oa = tonumber(h[4])
local hs = tonumber(h[5]) or 0
local hsl = tonumber(h[6]) or 0
local c = tonumber(h[7]) or 0
local f = tonumber(h[8]) or 0
local s = tonumber(h[9]) or 0
local events = {}

local function num(x)
  return string.format('%.6f', x)
end

local function effective()
  local m = ov
  if m == 'auto' then m = mode end
  if m == 'forced_open' or m == 'disabled' then return m end
  return st
end

local function transition(from, to, reason, actor)
  local n = #events
  events[n + 1] = from
  events[n + 2] = to
  events[n + 3] = reason
  events[n + 4] = actor
  events[n + 5] = num(now)
  redis.call('HSET', H, 'lta', num(now), 'ltr', reason)
end

local function clear_window()
  c, f, s = 0, 0, 0
  redis.call('DEL', W)
  redis.call('HSET', H, 'c', 0, 'f', 0, 's', 0)
end

local function set_state(to, reason)
  local from = st
  st = to
  ep = ep + 1
  redis.call('DEL', T)
  redis.call('HSET', H, 'st', to, 'ep', ep)
  if to == 'open' then
    oa = now
    redis.call('HSET', H, 'oa', num(now))
  else
    hs, hsl = 0, 0
    redis.call('HSET', H, 'hs', 0, 'hsl', 0)
    if to == 'closed' then
      oa = nil
      redis.call('HDEL', H, 'oa')
      clear_window()
    end
  end
  transition(from, to, reason, '')
end

local function trim()
  local changed = false
  while c > ws do
    local old = tonumber(redis.call('RPOP', W))
    if not old then
      c, f, s = 0, 0, 0
    else
      c = c - 1
      f = f - old % 2
      if old >= 2 then s = s - 1 end
    end
    changed = true
  end
  if changed then redis.call('HSET', H, 'c', c, 'f', f, 's', s) end
end

local function push(code)
  redis.call('LPUSH', W, code)
  c = c + 1
  f = f + code % 2
  if code >= 2 then s = s + 1 end
  redis.call('HSET', H, 'c', c, 'f', f, 's', s)
  trim()
end

local function trip_reason()
  if ft and f >= ft then
    return string.format('failure_threshold: %d failures in the last %d calls', f, c)
  end
  if c >= math.min(mc, ws) then
    if frt and f / c >= frt then
      return string.format('failure_rate: %d of %d calls failed (threshold %g%%)', f, c, frt * 100)
    end
    if scr and s / c >= scr then
      return string.format('slow_call_rate: %d of %d calls slow (threshold %g%%)', s, c, scr * 100)
    end
  end
  return nil
end

local function open_elapsed()
  return oa ~= nil and now >= oa + od
end

local function elapsed_reason()
  return string.format('open_duration elapsed (%gs)', od)
end

local function purge_trials()
  local all = redis.call('HGETALL', T)
  for i = 1, #all, 2 do
    if tonumber(all[i + 1]) <= now then redis.call('HDEL', T, all[i]) end
  end
end

local function parse_token(token)
  local e, id = string.match(token, '^(%d+):(.*)$')
  if not e then return -1, '' end
  return tonumber(e), id
end

local function retry_after(state)
  if state == 'open' and oa ~= nil then return math.max(oa + od - now, 0) end
  if state == 'forced_open' then return od end
  if state == 'half_open' and hs + redis.call('HLEN', T) >= hmax then
    return BUSY_RETRY_AFTER
  end
  return 0
end

local function finish_half_open()
  if scr and hsl / hs >= scr then
    set_state('open', string.format('slow trial calls: %d of %d (threshold %g%%)', hsl, hs,
      scr * 100))
  else
    set_state('closed', string.format('%d trial calls succeeded', hs))
  end
end

local function reply(head)
  for i = 1, #events do head[#head + 1] = events[i] end
  return head
end
"""

# ARGV 10 trial id, 11 trial ttl -> {allowed, state, token, trial, retry_after, events...}
ACQUIRE = r"""
local token_id, ttl = ARGV[10], tonumber(ARGV[11])
local eff = effective()
if eff == 'forced_open' then
  return reply({0, eff, '', 0, num(od)})
end
if eff == 'disabled' or eff == 'closed' then
  return reply({1, eff, ep .. ':', 0, '0'})
end
if eff == 'open' then
  if not open_elapsed() then
    return reply({0, eff, '', 0, num(retry_after(eff))})
  end
  set_state('half_open', elapsed_reason())
end
purge_trials()
if hs >= hmax then
  -- half_open_max_calls lowered under trials that already succeeded: decide now
  finish_half_open()
  if st == 'closed' then return reply({1, 'closed', ep .. ':', 0, '0'}) end
  return reply({0, 'open', '', 0, num(retry_after('open'))})
end
if hs + redis.call('HLEN', T) < hmax then
  redis.call('HSET', T, token_id, num(now + ttl))
  return reply({1, 'half_open', ep .. ':' .. token_id, 1, '0'})
end
return reply({0, 'half_open', '', 0, num(BUSY_RETRY_AFTER)})
"""

# ARGV 10 token, 11 failed (0/1), 12 slow (0/1) -> {state, events...}
RECORD = r"""
local failure = ARGV[11] == '1'
local slow = ARGV[12] == '1'
local eff = effective()
local tep, tid = parse_token(ARGV[10])
if tid ~= '' then
  if tep == ep and st == 'half_open' and redis.call('HDEL', T, tid) == 1 and eff == 'half_open' then
    if failure then
      set_state('open', 'trial call failed')
    else
      hs = hs + 1
      if slow then hsl = hsl + 1 end
      redis.call('HSET', H, 'hs', hs, 'hsl', hsl)
      if hs >= hmax then finish_half_open() end
    end
  end
elseif tep == ep and (eff == 'disabled' or st == 'closed') then
  local code = 0
  if failure then code = code + 1 end
  if slow then code = code + 2 end
  push(code)
  if eff == 'closed' then
    local reason = trip_reason()
    if reason then set_state('open', reason) end
  end
end
return reply({effective()})
"""

# ARGV 10 token of an ordinary permit, 11 count -> {state, events...}: ``count`` fast successes,
# exactly as ``count`` RECORD calls in a row (a trip on the way ends the epoch they counted in).
RECORD_SUCCESSES = r"""
local tep, tid = parse_token(ARGV[10])
local n = tonumber(ARGV[11]) or 0
if tid == '' then
  for _ = 1, n do
    local eff = effective()
    if tep ~= ep or not (eff == 'disabled' or st == 'closed') then break end
    push(0)
    if eff == 'closed' then
      local reason = trip_reason()
      if reason then set_state('open', reason) end
    end
  end
end
return reply({effective()})
"""

# ARGV 10 token -> {state, events...}
RELEASE = r"""
local tep, tid = parse_token(ARGV[10])
if tid ~= '' and tep == ep and st == 'half_open' then
  redis.call('HDEL', T, tid)
end
return reply({effective()})
"""

# ARGV 10 action (reset/force_open/disable), 11 actor, 12 reason -> {state, events...}
OVERRIDE = r"""
local action, actor, reason = ARGV[10], ARGV[11], ARGV[12]
local before = effective()
ep = ep + 1
redis.call('DEL', T)
if action == 'reset' then
  ov = 'auto'
  st = 'closed'
  oa = nil
  hs, hsl = 0, 0
  redis.call('HDEL', H, 'oa')
  redis.call('HSET', H, 'st', st, 'hs', 0, 'hsl', 0)
  clear_window()
elseif action == 'force_open' then
  ov = 'forced_open'
else
  ov = 'disabled'
end
redis.call('HSET', H, 'ov', ov, 'ep', ep)
local after = effective()
transition(before, after, reason, actor)
return reply({after})
"""

# -> {state, calls, failures, slow, opened_at, retry_after, in_flight, lta, ltr, events...}
SNAPSHOT = r"""
local eff = effective()
if eff == 'open' and open_elapsed() then
  set_state('half_open', elapsed_reason())
  eff = 'half_open'
end
local in_flight = 0
if st == 'half_open' then
  purge_trials()
  in_flight = redis.call('HLEN', T)
end
trim()
local opened = ''
if st ~= 'closed' and oa ~= nil then opened = num(oa) end
local last = redis.call('HMGET', H, 'lta', 'ltr')
return reply({eff, c, f, s, opened, num(retry_after(eff)), in_flight, last[1] or '',
  last[2] or ''})
"""
