-- Checkout load for bench/checkout.sh: every request is a buy-now order of one unit by the
-- next buyer of the list (rotating, so that concurrent requests are mostly different
-- shoppers) for the next launched SKU. The list file (first script argument) holds lines
-- `sku <id>` and `<username> <token> <address id>`.
local buyers, skus = {}, {}
local i, k = 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local sku = line:match("^sku (%d+)$")
    if sku then
      skus[#skus + 1] = sku
    else
      local name, token, address = line:match("^(%S+) (%S+) (%d+)$")
      if name then buyers[#buyers + 1] = { name, token, address } end
    end
  end
  -- Each wrk thread starts elsewhere in the lists.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  i = math.random(#buyers)
  k = math.random(#skus)
end

function request()
  i = i % #buyers + 1
  k = k % #skus + 1
  local b = buyers[i]
  local body = string.format('{"address_id":%s,"settlement_type":1,"sku_id":%s,"buy_count":1}', b[3], skus[k])
  return wrk.format("POST", "/v1/orders/" .. b[1],
    { ["Authorization"] = b[2], ["Content-Type"] = "application/json" }, body)
end
