-- wrk script for bench/console.sh: GETs of the operator console, each request the next path of
-- the list file (first script argument, one path a line, e.g. the order list filtered by each
-- of 50 shoppers' names), so that one endpoint is measured over several shoppers rather than
-- one row the database keeps hot. Each wrk thread starts elsewhere in the list. The console
-- token comes with wrk's -H. Bytes beyond ASCII (Chinese usernames) are percent-encoded here.
-- done() prints one line for the script: `console: <req/s> <p50 ms> <p99 ms> <non-2xx>
-- <socket errors and time-outs>`.
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line:gsub("[\128-\255]", function(c) return string.format("%%%02X", c:byte()) end)
    end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

-- 12345.6 -> "12,346", as docs/performance.md writes figures.
local function grouped(n)
  local s = string.format("%.0f", n)
  repeat
    local k
    s, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2")
  until k == 0
  return s
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("console: %s %.2f %.2f %d %d\n",
    grouped(summary.requests / (summary.duration / 1e6)),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
