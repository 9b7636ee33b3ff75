-- wrk script for bench/bench_webhook.py: signed WeChat text callbacks with unique MsgIds.
--
-- Arguments (after `--`, key=value; text values hex-encoded UTF-8):
--   path=/wechat?signature=..   one signed query string serves every request (plain mode signs
--                               only token+timestamp+nonce, not the body)
--   seq0=N                      first sequence number (continues across warm-up and measurement)
--   threads=T                   wrk's -t (the sequence stride)
--   msgprefix=DIGITS            MsgId = msgprefix .. %08d(seq): unique per request
--   users=U per_user=P          sender = user number seq % U; after P messages per user a fresh
--                               set of U users ("g<gen>_") is used (P=0: never rotate)
--   userprefix=STR              openid prefix
--   text=HEX                    message text; "{n}" is replaced by the MsgId (unique text)
--   expect=HEX                  a reply counts as good if it is a 200 with this in the body
--   tickets=1                   collect "编号：XXXX" from good replies (assistant submissions)
--   ticketfile=PATH             each wrk thread writes its tickets to PATH.<thread>, one per line
--
-- done() prints one line "WRKJSON {...}" with wrk's summary and latency percentiles (µs).

local cfg = {}
local path, seq0, stride, users, per_user, userprefix, msgprefix
local text_pre, text_post, has_n, expect, want_tickets, ticket_fh

-- per-thread globals (read by done() through thread:get)
counter, ok, bad_status, no_reply, sample = 0, 0, 0, 0, ""

local threads = {}
local created = 0

function setup(thread)
   thread:set("tid", created)
   created = created + 1
   table.insert(threads, thread)
end

local function unhex(s)
   return (s:gsub("..", function(h) return string.char(tonumber(h, 16)) end))
end

function init(args)
   for _, a in ipairs(args) do
      local k, v = a:match("^([%w_]+)=(.*)$")
      if k then cfg[k] = v end
   end
   path = cfg.path
   seq0 = tonumber(cfg.seq0)
   stride = tonumber(cfg.threads)
   users = tonumber(cfg.users)
   per_user = tonumber(cfg.per_user)
   userprefix = cfg.userprefix
   msgprefix = cfg.msgprefix
   expect = unhex(cfg.expect)
   want_tickets = cfg.tickets == "1" and (cfg.ticketfile or "") ~= ""
   if want_tickets then
      -- init() and response() run in the thread's Lua state, done() in another: write here
      ticket_fh = assert(io.open(cfg.ticketfile .. "." .. tid, "w"))
      ticket_fh:setvbuf("line")
   end
   local text = unhex(cfg.text)
   local s, e = text:find("{n}", 1, true)
   has_n = s ~= nil
   if has_n then
      text_pre, text_post = text:sub(1, s - 1), text:sub(e + 1)
   else
      text_pre, text_post = text, ""
   end
   wrk.headers["Content-Type"] = "text/xml"
end

function request()
   local seq = seq0 + counter * stride + tid
   counter = counter + 1
   local idx = seq % users
   local user
   local gen = 0
   if per_user > 0 then gen = math.floor(seq / (users * per_user)) end
   if gen > 0 then
      user = userprefix .. "g" .. gen .. "_" .. idx
   else
      user = userprefix .. idx
   end
   local msgid = msgprefix .. string.format("%08d", seq)
   local content = text_pre
   if has_n then content = text_pre .. msgid .. text_post end
   local body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
      .. "<FromUserName><![CDATA[" .. user .. "]]></FromUserName>"
      .. "<CreateTime>" .. os.time() .. "</CreateTime><MsgType><![CDATA[text]]></MsgType>"
      .. "<Content><![CDATA[" .. content .. "]]></Content>"
      .. "<MsgId>" .. msgid .. "</MsgId></xml>"
   return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
   if status ~= 200 then
      bad_status = bad_status + 1
      if sample == "" then sample = "HTTP " .. status .. ": " .. (body or ""):sub(1, 300) end
   elseif body == nil or not body:find("<Content>", 1, true) or not body:find(expect, 1, true) then
      no_reply = no_reply + 1
      if sample == "" then sample = "200 without the expected reply: " .. (body or ""):sub(1, 300) end
   else
      ok = ok + 1
      if want_tickets then
         local t = body:match("编号：(%w+)")
         if t then ticket_fh:write(t, "\n") end
      end
   end
end

local function jstr(s)
   s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub("[%c]", " ")
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local sent, good, bad, noreply, maxc = 0, 0, 0, 0, 0
   local samples = {}
   local counters = {}
   for _, th in ipairs(threads) do
      local c = th:get("counter")
      sent = sent + c
      counters[#counters + 1] = tostring(c)
      if c > maxc then maxc = c end
      good = good + th:get("ok")
      bad = bad + th:get("bad_status")
      noreply = noreply + th:get("no_reply")
      local s = th:get("sample")
      if s ~= "" then samples[#samples + 1] = jstr(s) end
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,'
      .. '"sent":%d,"max_counter":%d,"ok":%d,"bad_status":%d,"no_reply":%d,'
      .. '"lat_mean_us":%.1f,"lat_max_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,'
      .. '"counters":[%s],"samples":[%s]}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      sent, maxc, good, bad, noreply,
      latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9),
      table.concat(counters, ","), table.concat(samples, ",")))
end
