"""Prints one Goose run of scripts/load-scenarios.sh in seed 004's fields, with PASS/FAIL against
seed 004's performance targets (p50 < 200 ms, p95 < 500 ms, p99 < 1,000 ms, errors < 0.1 %,
throughput > 100 req/s), from Goose's JSON report, the RSS/pool samples (every 10 s) and the cache
counters before and after. Usage: load_summary.py OUT/name run_seconds slow_statements"""
import json
import sys

base, seconds, slow = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
report = json.load(open(base + ".json"))
total = next(r for r in report["raw_request_metrics"] if r["name"] == "Aggregated")
pct = next(r for r in report["raw_response_metrics"] if r["name"] == "Aggregated")
codes = next(r for r in report["status_code_metrics"] if r["name"] == "Aggregated")["status_codes"]
requests, failures = total["number_of_requests"], total["number_of_failures"]
error_pct = 100.0 * failures / max(requests, 1)
rps = total["requests_per_second"]
print("Total Requests: {:,}".format(requests))
print("Failures: {:,} ({:.3f}%)  status codes: {}".format(failures, error_pct, codes))
print("Average Response Time: {:.1f} ms".format(total["response_time_average"]))
print("P50 / P95 / P99 / max Latency: {} / {} / {} / {} ms".format(
    pct["percentile_50"], pct["percentile_95"], pct["percentile_99"], pct["percentile_100"]))
print("Throughput: {:,.0f} requests/second ({} s including the spawn)".format(rps, report["raw_metrics"]["duration"]))

samples = []
for line in open(base + ".samples"):
    parts = line.split()
    if len(parts) >= 2 and parts[1].isdigit():
        samples.append((int(parts[0]), int(parts[1]), float(parts[2]) if len(parts) > 2 else None))
if samples:
    start = samples[0][0]
    # Warm-up: the first 10 % of the run (at least 60 s).
    warm = [s for s in samples if s[0] - start >= max(60, 0.1 * seconds)] or samples
    first, last = warm[0][1], samples[-1][1]
    peak = max(s[1] for s in samples)
    print("Memory (RSS): {:.1f} MB after warm-up -> {:.1f} MB at the end ({:+.1f} MB, {:+.1f} %), peak {:.1f} MB, {} samples".format(
        first / 1024, last / 1024, (last - first) / 1024, 100.0 * (last - first) / first, peak / 1024, len(samples)))
    pools = [s[2] for s in samples if s[2] is not None]
    if pools:
        print("Connection Pool Utilization: max {:.0f} %, mean {:.0f} % (of database.max_connections)".format(
            max(pools), sum(pools) / len(pools)))
print("Slow statements (> 1 s, PostgreSQL log): {}".format(slow))

def counts(path):
    out = {}
    for line in open(path):
        name, value = line.split()
        out[name] = float(value)
    return out

before, after = counts(base + ".cache-before"), counts(base + ".cache-after")
for cache in ("render", "outlook"):
    key = 'orion_cache_lookups_total{{cache="{}",result="{}"}}'
    hit = after.get(key.format(cache, "hit"), 0) - before.get(key.format(cache, "hit"), 0)
    miss = after.get(key.format(cache, "miss"), 0) - before.get(key.format(cache, "miss"), 0)
    if hit + miss:
        print("Cache {}: {:,.0f} lookups, hit rate {:.2f} %, miss rate {:.2f} %".format(
            cache, hit + miss, 100.0 * hit / (hit + miss), 100.0 * miss / (hit + miss)))

checks = [("p50 < 200 ms", pct["percentile_50"] < 200), ("p95 < 500 ms", pct["percentile_95"] < 500),
          ("p99 < 1000 ms", pct["percentile_99"] < 1000), ("errors < 0.1 %", error_pct < 0.1),
          ("throughput > 100 req/s", rps > 100)]
print("Status: {} ({})".format("PASS" if all(ok for _, ok in checks) else "FAIL",
                               ", ".join("{} {}".format(name, "ok" if ok else "MISSED") for name, ok in checks)))
