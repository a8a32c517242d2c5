-- wrk script: POST /v1/tokens with the benchmark shopper's credentials (JSON body).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench","password":"bench-password"}'
