"""Per-task cost of Python's process pools, measured the way section 7 of
the Rust chapter measures `common::pool::ProcessPool`:

* latency: one trivial task at a time on one warm worker (submit, wait, repeat);
* throughput: many trivial tasks mapped over cpu_count() warm workers, total ÷ tasks.

Run: python3 multiprocessing/python/pool_round_trip.py [TASKS]
Compare: cargo run -p multiprocessing -- 7
"""

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Pool


def nothing(_):
    return 0


def best(runs, fn):
    return min(fn() for _ in range(runs))


def executor_latency(tasks):
    with ProcessPoolExecutor(max_workers=1) as ex:
        ex.submit(nothing, 0).result()  # warm
        def run():
            t = time.perf_counter()
            for i in range(tasks):
                ex.submit(nothing, i).result()
            return (time.perf_counter() - t) / tasks
        return best(3, run)


def executor_throughput(tasks, workers):
    with ProcessPoolExecutor(max_workers=workers) as ex:
        list(ex.map(nothing, range(workers * 4)))  # warm every worker
        def run():
            t = time.perf_counter()
            list(ex.map(nothing, range(tasks)))
            return (time.perf_counter() - t) / tasks
        return best(3, run)


def pool_latency(tasks):
    with Pool(1) as pool:
        pool.apply_async(nothing, (0,)).get()
        def run():
            t = time.perf_counter()
            for i in range(tasks):
                pool.apply_async(nothing, (i,)).get()
            return (time.perf_counter() - t) / tasks
        return best(3, run)


def pool_throughput(tasks, workers):
    with Pool(workers) as pool:
        pool.map(nothing, range(workers * 4))
        def run():
            t = time.perf_counter()
            # chunksize=1: one task per message, as the Rust pool sends them
            pool.map(nothing, range(tasks), chunksize=1)
            return (time.perf_counter() - t) / tasks
        return best(3, run)


def main():
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    workers = os.cpu_count()
    us = lambda s: f"{s * 1e6:8.1f} µs"
    print(f"Python {sys.version.split()[0]}, {tasks} trivial tasks, best of 3, per task:")
    print(f"  ProcessPoolExecutor(1), one at a time (latency)   {us(executor_latency(tasks))}")
    print(f"  ProcessPoolExecutor({workers}).map (throughput)         {us(executor_throughput(tasks, workers))}")
    print(f"  Pool(1).apply_async().get() (latency)             {us(pool_latency(tasks))}")
    print(f"  Pool({workers}).map(chunksize=1) (throughput)            {us(pool_throughput(tasks, workers))}")


if __name__ == "__main__":
    main()
