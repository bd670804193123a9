"""Per-task overhead of Python's executors on a trivial task, measured like
`cargo bench -p benches --bench executors` (1000 tasks per run, best of 5).

Run: python3 executors/python/executor_overhead.py
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

TASKS = 1000


def plus_one(x):
    return x + 1


def per_task(executor, how):
    # Warm up: every worker started and busy once.
    list(executor.map(plus_one, range(64)))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        if how == "map":
            list(executor.map(plus_one, range(TASKS)))
        else:
            futures = [executor.submit(plus_one, i) for i in range(TASKS)]
            [f.result() for f in futures]
        best = min(best, time.perf_counter() - start)
    return best / TASKS


def main():
    workers = os.cpu_count()
    print(f"{TASKS} trivial tasks, {workers} workers, best of 5, per task:")
    with ThreadPoolExecutor(max_workers=workers) as ex:
        print(f"  ThreadPoolExecutor.map            {per_task(ex, 'map') * 1e6:8.2f} µs")
        print(f"  ThreadPoolExecutor submit+result  {per_task(ex, 'submit') * 1e6:8.2f} µs")
    with ProcessPoolExecutor(max_workers=workers) as ex:
        print(f"  ProcessPoolExecutor.map           {per_task(ex, 'map') * 1e6:8.2f} µs")
        print(f"  ProcessPoolExecutor submit+result {per_task(ex, 'submit') * 1e6:8.2f} µs")


if __name__ == "__main__":
    main()
