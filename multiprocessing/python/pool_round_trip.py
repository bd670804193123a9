"""Per-task cost of Python's process pools, measured the way section 7 of
the Rust chapter measures `common::pool::ProcessPool`:

* one at a time: one trivial task after another on one warm worker, with
  this thread pinned to one CPU and the pool started on the same CPU or on
  another (its processes and threads inherit the CPU they were started on);
  the median of 21 runs of 500, the kinds of call measured in turns;
* many at once: trivial tasks mapped over cpu_count() warm workers, total ÷
  tasks, best of 3.

Run: python3 multiprocessing/python/pool_round_trip.py
Compare: cargo run -p multiprocessing -- 7
"""

import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool

ROUNDS = 21
TASKS = 500


def nothing(_):
    return 0


def per_task(calls, tasks):
    start = time.perf_counter()
    for i in range(tasks):
        calls(i)
    return (time.perf_counter() - start) / tasks


def one_at_a_time(caller, other):
    """Medians for apply, apply_async().get() and executor submit().result()."""
    here = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {other})
    try:
        with Pool(1) as pool, ProcessPoolExecutor(max_workers=1) as executor:
            executor.submit(nothing, 0).result()  # starts its worker now, on `other`
            os.sched_setaffinity(0, {caller})
            calls = {
                "Pool(1).apply()": lambda i: pool.apply(nothing, (i,)),
                "Pool(1).apply_async().get()": lambda i: pool.apply_async(nothing, (i,)).get(),
                "ProcessPoolExecutor(1).submit().result()": lambda i: executor.submit(nothing, i).result(),
            }
            runs = {name: [] for name in calls}
            for _ in range(ROUNDS):
                for name, call in calls.items():
                    runs[name].append(per_task(call, TASKS))
            return {name: statistics.median(r) for name, r in runs.items()}
    finally:
        os.sched_setaffinity(0, here)


def throughput(tasks, workers):
    results = {}
    with ProcessPoolExecutor(max_workers=workers) as ex:
        list(ex.map(nothing, range(workers * 4)))  # warm every worker
        results[f"ProcessPoolExecutor({workers}).map"] = min(
            timed_map(lambda: list(ex.map(nothing, range(tasks))), tasks) for _ in range(3)
        )
    with Pool(workers) as pool:
        pool.map(nothing, range(workers * 4))
        # chunksize=1: one task per message, as the Rust pool sends them
        results[f"Pool({workers}).map(chunksize=1)"] = min(
            timed_map(lambda: pool.map(nothing, range(tasks), chunksize=1), tasks) for _ in range(3)
        )
    return results


def timed_map(run, tasks):
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) / tasks


def main():
    cpus = sorted(os.sched_getaffinity(0))
    us = lambda s: f"{s * 1e6:7.1f} µs"
    print(f"Python {sys.version.split()[0]}; one at a time: median of {ROUNDS} runs of {TASKS}, per task:")
    placements = [("same core", cpus[0], cpus[0])]
    if len(cpus) >= 2:
        placements.append(("across cores", cpus[0], cpus[1]))
    for label, caller, other in placements:
        print(f"  {label}:")
        for name, seconds in one_at_a_time(caller, other).items():
            print(f"    {name:<42} {us(seconds)}")
    mapped = 5000
    print(f"many at once: a map of {mapped} tasks, best of 3, per task:")
    for name, seconds in throughput(mapped, len(cpus)).items():
        print(f"    {name:<42} {us(seconds)}")


if __name__ == "__main__":
    main()
