-- wrk: the same chat completion request evalrun sends in bench/run.sh.
wrk.method = "POST"
wrk.body = '{"model":"mock-medium","messages":[{"role":"user","content":"What is 17 + 25?"}],"temperature":0,"max_tokens":16}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-key"
