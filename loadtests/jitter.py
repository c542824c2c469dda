# The machine's own scheduling jitter, in two parts of SECONDS each:
#  spin: reads the monotonic clock in a loop and counts the gaps (time this thread did not run:
#        other tasks, interrupts, the hypervisor taking the vCPU) by size;
#  wake: sleeps 0.2 ms over and over and reports how late it wakes (an idle vCPU that halted has
#        to be woken by the host first; a server between requests is in exactly this state).
# "beyond 2 ms": the share of instants at which a request arriving would wait more than 2 ms for
# this core (sum of max(0, gap - 2 ms) / time). Above 1 %, no p99 through this core can be <= 2 ms.
# Run pinned (taskset -c N) on the cores a load test uses: no latency a load test reports on
# those cores can be reliably below what this shows. Usage: python3 loadtests/jitter.py SECONDS LABEL
import sys
import time

secs = float(sys.argv[1])
label = sys.argv[2] if len(sys.argv) > 2 else "jitter"
pc = time.perf_counter_ns

end = pc() + int(secs * 1e9)
last = pc()
gaps = []
while True:
    now = pc()
    if now - last > 50_000:
        gaps.append(now - last)
    last = now
    if now >= end:
        break

lates = []
end = pc() + int(secs * 1e9)
while pc() < end:
    t = pc()
    time.sleep(0.0002)
    lates.append(pc() - t - 200_000)
lates.sort()


def over(t):
    return sum(1 for g in gaps if g > t)


def q(p):
    return lates[min(len(lates) - 1, int(p * len(lates)))] / 1e6


lost = sum(gaps)
beyond2 = sum(g - 2_000_000 for g in gaps if g > 2_000_000)
print(f"{label}: spin {secs:.0f}s: gaps >0.5ms {over(5e5)}, >1ms {over(1e6)}, >5ms {over(5e6)}, max {max(gaps, default=0) / 1e6:.1f} ms,"
      f" lost {lost / secs / 1e7:.1f} %, beyond 2 ms {beyond2 / secs / 1e7:.2f} % | wake from 0.2 ms sleeps ({len(lates)}): late by p50 {q(.5):.3f} p99 {q(.99):.3f}"
      f" p99.9 {q(.999):.3f} max {lates[-1] / 1e6:.3f} ms")
