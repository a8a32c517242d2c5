# Shop history for bench/console.sh, written as SQL for the sqlite3 or mariadb client: USERS
# shoppers registered over the last year (ids 1..USERS, so the database must hold none yet),
# and ORDERS orders over the last 60 days (China time) with their lines and payments.
#
#   awk -F'\t' -v now=<unix s> -v users=10000 -v orders=100000 -v dialect=sqlite|mysql \
#     -f bench/console-seed.awk skus.tsv attrs.tsv
#
# skus.tsv holds `id price name image` of the launched SKUs, attrs.tsv `sku_id attribute
# value` in the order the shop lists them (db/carts.rs sale_attrs). Everything is one
# transaction of multi-row INSERTs of at most 1,000 rows. The column lists are those of
# migrations/*/0001, 0002 (username_key), 0007, 0008, 0009 and 0010. Plain POSIX awk (mawk
# has no strftime, so China times are computed here) with a fixed seed: the same history
# for the same `now` and the same awk.
#
# What a shop looks like, roughly: orders come more in the evening than at night; 12 % are
# cancelled unpaid (by the shopper, the payment time-out, now and then an operator), 0.5 %
# are paid after their cancel (6, half of them refunded since: 7); paid orders ship 2 to 72
# hours later and are received 1 to 7 days after that, so status 2 holds the last day or so
# of paid orders, 3 the last week's shipped ones and 4 the rest; only the last 30 minutes
# hold unpaid orders. 85 % of orders go to the shopper's own phone; older shoppers order more.

BEGIN {
  srand(20261224)
  if (dialect != "sqlite" && dialect != "mysql") { print "dialect must be sqlite or mysql" > "/dev/stderr"; exit 2 }
  DAY = 86400; CHINA = 8 * 3600; YEAR = 365 * DAY
  split("wang li zhang liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo " \
    "liang song zheng xie han tang feng yu dong xiao cheng cao yuan deng fu shen zeng peng lv su", pinyin, " ")
  npinyin = 40
  split("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗", surname, " ")
  split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 晨 雪 子涵 浩然 欣怡 宇轩", given, " ")
  split("北京市海淀区中关村大街 上海市浦东新区张江路 广州市天河区天河路 深圳市南山区科技园南路 杭州市西湖区文三路 " \
    "成都市武侯区人民南路 武汉市洪山区珞喻路 南京市鼓楼区中山北路 西安市雁塔区小寨东路 重庆市渝中区解放碑 " \
    "天津市南开区卫津路 苏州市工业园区星湖街 长沙市岳麓区麓山南路 郑州市金水区花园路 青岛市市南区香港中路", street, " ")
  split("家 公司 学校 家", tag, " ")
  split("顺丰速运 中通快递 圆通速递 韵达快递 京东物流 申通快递", carrier, " ")
  split("SF ZT YT YD JD ST", prefix, " ")
  split("qq.com 163.com 126.com sina.com gmail.com", domain, " ")
  # Orders per hour of the day, China time (a relative weight out of 10).
  split("3 2 1 1 1 1 2 3 5 6 7 7 7 6 6 6 6 6 7 8 9 10 9 6", hour_weight, " ")
  print (dialect == "sqlite" ? "BEGIN;" : "START TRANSACTION;")
}

# The SKU list, then their sale attributes.
FILENAME == ARGV[1] { nsku++; sku_id[nsku] = $1; sku_price[nsku] = $2; sku_name[nsku] = $3; sku_image[nsku] = $4; next }
{ attrs[$1] = (attrs[$1] == "" ? "" : attrs[$1] ",") "[" json($2) "," json($3) "]" }

END {
  if (nsku == 0) { print "no SKUs: seed the demo catalog first" > "/dev/stderr"; exit 2 }
  first_user = now - YEAR
  for (u = 1; u <= users; u++) user(u)
  flush("users")
  for (i = 1; i <= orders; i++) order(i)
  flush("orders"); flush("order_lines"); flush("payments")
  print "COMMIT;"
}

function user(u,   name, key, created, login, r) {
  r = rand()
  if (r < 0.05) {
    name = surname[1 + int(rand() * 20)] given[1 + int(rand() * 28)] u
  } else {
    name = pinyin[1 + int(rand() * npinyin)] u
    # Some register with a capital: the key (0002_hardening) folds it.
    if (r < 0.15) name = toupper(substr(name, 1, 1)) substr(name, 2)
  }
  key = tolower(name)
  phone[u] = user_phone(u)
  receiver[u] = surname[1 + u % 20] given[1 + int(u / 20) % 28]
  address[u] = street[1 + u % 15] (1 + u % 300) "号" (1 + int(u / 7) % 30) "栋" (100 + u % 2000) "室"
  # Registered in order of id over the year, a few minutes apart.
  created = first_user + int((u - 1) * YEAR / users) + int(rand() * 600)
  user_created[u] = created
  # Seven in ten shoppers have logged in since the last login was recorded, mostly lately.
  login = rand() < 0.7 ? sprintf("%d", now - int(rand() * rand() * (now - created))) : "NULL"
  # The password hash is a well-formed Argon2id string that no password matches: nobody logs
  # in as these shoppers, and hashing 10,000 passwords would take minutes.
  row("users", sprintf("(%d, %s, %s, '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0YmVuY2g$bm90LWEtcmVhbC1oYXNoLWZvci1sb2dpbg', %s, '%s', %d, %d, 0, %d, %d, %s)",
    u, sql(name), sql(key), sql(r < 0.05 ? "user" u "@" domain[1 + u % 5] : key "@" domain[1 + u % 5]),
    phone[u], rand() < 0.95 ? 1 : 0, rand() < 0.003 ? 1 : 0, created, login == "NULL" ? created : login, login))
}

# A distinct 139 number per shopper: 7919 is prime to 10^8, so u -> u * 7919 mod 10^8 is one-to-one.
function user_phone(u) { return sprintf("139%08d", (u * 7919) % 100000000) }

function order(i,   t, u, n, k, j, picked, line, count, goods, lines, status, r, deadline, paid, cancelled,
    cancel_reason, cancelled_by, shipped, received, refunded, version, updated, id, mobile, c, outcome, p) {
  # A moment of the last 60 days, weighted by the hour of the day.
  do { t = now - int(rand() * 60 * DAY) } while (rand() * 10 >= hour_weight[1 + int(((t + CHINA) % DAY) / 3600)])
  # A shopper registered by then; the older ones order more.
  n = int((t - first_user) * users / YEAR); if (n > users) n = users
  do { u = 1 + int(n * rand() ^ 1.3) } while (user_created[u] > t)
  id = china_time(t) sprintf("%09d", u)
  id = id sprintf("%02d", order_seq[id]++)
  # One to three distinct SKUs, the first ones of the catalog sell more.
  k = rand() < 0.6 ? 1 : (rand() < 0.75 ? 2 : 3); goods = 0; lines = 0; split("", picked)
  for (j = 1; j <= k; j++) {
    do { p = 1 + int(nsku * rand() ^ 1.5) } while (p in picked)
    picked[p] = 1
    count = rand() < 0.8 ? 1 : (rand() < 0.75 ? 2 : 3)
    goods += sku_price[p] * count; lines += count
    line[j] = sprintf("('%s', %d, %s, %d, %d, %s, %s)", id, sku_id[p], sql(sku_name[p]),
      sku_price[p], count, sql(sku_image[p]), sql("[" attrs[sku_id[p]] "]"))
  }
  deadline = t + 1800
  paid = ""; cancelled = ""; shipped = ""; received = ""; refunded = ""; cancel_reason = ""; cancelled_by = ""
  r = rand()
  if (r < 0.12) {
    if (r < 0.005) { cancelled = t + 120 + int(rand() * 1500); cancel_reason = "operator"; cancelled_by = "staff:kefu" }
    else if (r < 0.05) { cancelled = t + 60 + int(rand() * 1700); cancel_reason = cancelled_by = "shopper" }
    else { cancelled = deadline + int(rand() * 120); cancel_reason = cancelled_by = "timeout" }
  } else if (r < 0.125) {
    # Paid after the time-out cancelled it: the money goes back.
    cancelled = deadline + int(rand() * 120); cancel_reason = cancelled_by = "timeout"
    paid = cancelled + 30 + int(rand() * 900)
    if (rand() < 0.5) refunded = paid + 3600 + int(rand() * 2 * DAY)
  } else {
    paid = t + 20 + int(rand() * 900)
    shipped = paid + 7200 + int(rand() * rand() * 70 * 3600)
    received = shipped + DAY + int(rand() * 6 * DAY)
  }
  # What has happened by now.
  if (cancelled != "" && cancelled > now) { cancelled = ""; paid = ""; refunded = "" }
  if (paid != "" && paid > now) { paid = ""; shipped = "" }
  if (shipped != "" && shipped > now) { shipped = ""; received = "" }
  if (received != "" && received > now) received = ""
  if (refunded != "" && refunded > now) refunded = ""
  status = 1; version = 0; updated = t
  if (cancelled != "") { status = 5; version++; updated = cancelled }
  if (cancelled != "" && paid != "") { status = 6; updated = paid }
  if (refunded != "") { status = 7; updated = refunded }
  if (cancelled == "" && paid != "") { status = 2; updated = paid }
  if (shipped != "") { status = 3; version++; updated = shipped }
  if (received != "") { status = 4; version++; updated = received }
  mobile = rand() < 0.85 ? phone[u] : sprintf("13%d%08d", 5 + int(rand() * 4), int(rand() * 100000000))
  c = 1 + int(rand() * 6)
  row("orders", sprintf("('%s', %d, %s, %s, '%s', %s, %d, %d, 1000, %d, %d, %d, NULL, NULL, 0, %s, %d, %d, NULL, NULL, %d, %s, %s, %s, %s, %s, %s, %s)",
    id, u, sql(rand() < 0.9 ? receiver[u] : surname[1 + int(rand() * 20)] given[1 + int(rand() * 28)]),
    sql(address[u]), mobile, sql(tag[1 + u % 4]), lines, goods, goods + 1000, status, deadline,
    cancel_reason == "" ? "NULL" : sql(cancel_reason), t, updated, version,
    shipped == "" ? "NULL" : sql(carrier[c]),
    shipped == "" ? "NULL" : sql(sprintf("%s%06d%06d", prefix[c], int(rand() * 1000000), i)),
    or_null(shipped), shipped == "" ? "NULL" : sql(rand() < 0.7 ? "staff:cangku" : "cli"),
    or_null(received), or_null(cancelled), cancelled_by == "" ? "NULL" : sql(cancelled_by)))
  for (j = 1; j <= k; j++) row("order_lines", line[j])
  if (paid != "") {
    outcome = status >= 6 ? "refund" : "paid"
    r = rand()
    # Half the refunds were made from the console (alipay.trade.refund), half recorded with
    # `dadashop orders refunded`.
    p = refunded != "" && rand() < 0.5
    row("payments", sprintf("('%s', '%s', %d, '2088%06d%06d', %d, '%s', '%s', %s, %d, %s, %s, %s, %s)",
      id, substr(china_time(paid), 1, 8) "2200" sprintf("%08d%08d", int(i / 100000000), i % 100000000),
      goods + 1000, u % 1000000, u, paid, r < 0.9 ? "notify" : (r < 0.98 ? "return" : "query"), outcome,
      or_null(refunded), paid + int(rand() * 3), p ? "'R" id "'" : "NULL", p ? goods + 1000 : "NULL",
      p ? "'支付后订单已取消'" : "NULL", p ? "'staff:caiwu'" : "NULL"))
  }
}

function or_null(v) { return v == "" ? "NULL" : sprintf("%d", v) }

# A string literal for the dialect (MySQL also treats backslashes as escapes).
function sql(s) {
  if (dialect == "mysql") gsub(/\\/, "\\\\", s)
  gsub(/'/, "''", s)
  return "'" s "'"
}

function json(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }

# Rows of each table are printed 1,000 to an INSERT.
function row(table, values) {
  buffer[table, ++buffered[table]] = values
  if (buffered[table] == 1000) flush(table)
}

function flush(table,   j, n) {
  n = buffered[table]
  if (n == 0) return
  # Lines and payments of an order go in after the order (foreign keys, where checked).
  if (table != "orders" && table != "users" && buffered["orders"] > 0) flush("orders")
  print "INSERT INTO " table " " columns(table) " VALUES"
  for (j = 1; j <= n; j++) {
    print buffer[table, j] (j < n ? "," : ";")
    delete buffer[table, j]
  }
  buffered[table] = 0
}

function columns(table) {
  if (table == "users") return "(id, username, username_key, password_hash, email, phone, is_active, is_disabled, token_version, created_at, updated_at, last_login_at)"
  if (table == "orders") return "(order_id, user_id, receiver, address, receiver_mobile, tag, total_count, goods_amount, freight, total_amount, status, pay_deadline, idempotency_key, request_hash, carts_count, cancel_reason, created_at, updated_at, return_seen_at, trade_close_due, version, carrier, tracking_no, shipped_at, shipped_by, received_at, cancelled_at, cancelled_by)"
  if (table == "order_lines") return "(order_id, sku_id, name, price, count, default_image_url, sale_attrs)"
  return "(order_id, trade_no, amount, buyer_id, paid_at, source, outcome, refunded_at, created_at, refund_no, refund_amount, refund_reason, refunded_by)"
}

# YYYYmmddHHMMSS in China Standard Time of Unix second t (days to civil date: H. Hinnant).
function china_time(t,   s, z, era, doe, yoe, y, doy, mp, d, m) {
  t += CHINA; z = int(t / DAY); s = t - z * DAY
  z += 719468; era = int(z / 146097); doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
  mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
  m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
  return sprintf("%04d%02d%02d%02d%02d%02d", y, m, d, int(s / 3600), int((s % 3600) / 60), s % 60)
}
