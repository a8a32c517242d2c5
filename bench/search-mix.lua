-- POST /v1/goods/search with queries as shoppers type them: plain words, synonyms (背包,
-- 行李箱), stop words (黑色的拉杆箱), pinyin and initials (lagan, lgx), partial matches
-- (粉色拉杆箱) and near misses (拉竿箱). Each request appends a random run of punctuation,
-- which the search ignores but the answer cache keys on: every request is a cache miss, so
-- this measures the search itself (query analysis, the index, the SKU rows), not the cache.
local queries = {
  "拉杆箱", "双肩包", "背包", "行李箱", "登机箱", "书包", "黑色的拉杆箱", "我想买个黑色行李箱",
  "lagan", "lgx", "shuangjianbao", "粉色拉杆箱", "拉竿箱", "托特包", "远途 双肩包", "钱包",
}
-- SEARCH_MIX=plain: only words the catalog itself uses (what a search without synonyms,
-- pinyin or suggestions also finds), to compare builds on the same work.
if os.getenv("SEARCH_MIX") == "plain" then
  queries = { "拉杆箱", "双肩包", "托特包", "钱包", "远途 双肩包", "黑色 拉杆箱", "卡包", "手提包" }
end
local marks = { "!", "?", ",", ".", ";" }

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

request = function()
  local q = queries[math.random(#queries)] .. " "
  for _ = 1, 12 do
    q = q .. marks[math.random(#marks)]
  end
  return wrk.format(nil, nil, nil, "q=" .. urlencode(q) .. "&page=1")
end
