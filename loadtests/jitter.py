# The machine's own scheduling jitter: spins for N seconds reading the monotonic clock and reports
# the gaps (time this thread did not run: other tasks, interrupts, the hypervisor taking the vCPU)
# by size. Run pinned (taskset -c N) on the cores a load test uses; no latency a load test reports
# on those cores can be reliably below what this shows. Usage: python3 loadtests/jitter.py SECONDS LABEL
import sys, time
secs = float(sys.argv[1]); pc = time.perf_counter_ns
end = pc() + int(secs * 1e9); last = pc(); gaps = []
while True:
    now = pc()
    if now - last > 50_000: gaps.append(now - last)
    last = now
    if now >= end: break
def cnt(t): return sum(1 for g in gaps if g > t)
tot = sum(gaps)
print(f"{sys.argv[2]}: {secs:.0f}s spinning: gaps >0.05ms {len(gaps)}, >0.5ms {cnt(5e5)}, >1ms {cnt(1e6)}, >5ms {cnt(5e6)}, >10ms {cnt(1e7)}, max {max(gaps, default=0)/1e6:.1f} ms, total lost {tot/1e6:.0f} ms ({tot/secs/1e7:.1f} %)")
