-- POST /v1/goods/search with a form body: q=拉杆箱 (suitcase), page 1.
wrk.method = "POST"
wrk.body = "q=%E6%8B%89%E6%9D%86%E7%AE%B1&page=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
