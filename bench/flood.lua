-- wrk script: a login flood. Each request is a wrong password for a random unknown username.
-- With SOURCES=many (the default) each request also names a random client address in
-- X-Forwarded-For, as a botnet behind the shop's trusted proxy would; with SOURCES=one every
-- request comes from the load generator's own address.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local many = os.getenv("SOURCES") ~= "one"

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function request()
  local name = string.format("u%09d", math.random(0, 999999999))
  local headers = { ["Content-Type"] = "application/json" }
  if many then
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
      math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  local body = '{"username":"' .. name:sub(1, 11) .. '","password":"wrong-password"}'
  return wrk.format("POST", "/v1/tokens", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("flood: %d requests, %d connect errors, %d read errors, %d timeouts\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
