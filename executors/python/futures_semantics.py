"""What concurrent.futures does, scenario by scenario, one line each.

Chapter 247's Rust executors run the same scenarios
(`executors::semantics`), and `cargo test -p executors --test semantics`
compares the two line by line; the README shows them side by side.

Deterministic: tasks are held by events, never ordered by sleeps; a timeout
is only ever waited on for a task that is held (so it always expires).

Run: python3 executors/python/futures_semantics.py   (CPython 3.8+, stdlib only)
Prints: NAME: OUTCOME, one line per scenario.
"""

import logging
import multiprocessing
import os
import threading
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    CancelledError,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    TimeoutError,
    as_completed,
    wait,
)
from concurrent.futures.thread import BrokenThreadPool

SHORT = 0.05  # a timeout that must expire: what it waits for is held
WIDE = 1.0  # expires for the held task, never for the free one beside it


def held(gate):
    gate.wait()
    return "released"


def boom():
    raise ValueError("boom")


def indices(futures, subset):
    return sorted(futures.index(f) for f in subset)


def report(name, outcome):
    print(f"{name}: {outcome}")


def wait_scenarios():
    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="worker") as pool:
        fs = [pool.submit(lambda: 0), pool.submit(held, gate), pool.submit(held, gate)]
        done, pending = wait(fs, return_when=FIRST_COMPLETED)
        report("wait FIRST_COMPLETED", f"done={indices(fs, done)} pending={indices(fs, pending)}")
        done, pending = wait(fs, timeout=SHORT)
        report("wait with a timeout", f"done={indices(fs, done)} pending={indices(fs, pending)}")
        gate.set()
        done, pending = wait(fs, return_when=ALL_COMPLETED)
        report("wait ALL_COMPLETED", f"done={indices(fs, done)} pending={indices(fs, pending)}")

    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=3) as pool:
        fs = [pool.submit(boom), pool.submit(held, gate), pool.submit(held, gate)]
        done, pending = wait(fs, return_when=FIRST_EXCEPTION)
        report("wait FIRST_EXCEPTION", f"done={indices(fs, done)} pending={indices(fs, pending)}")
        gate.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        fs = [pool.submit(lambda: 1), pool.submit(lambda: 2)]
        done, pending = wait(fs, return_when=FIRST_EXCEPTION)
        report("wait FIRST_EXCEPTION, nothing fails", f"done={indices(fs, done)} pending={indices(fs, pending)}")

    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        fs = [pool.submit(held, gate), pool.submit(lambda: 1)]
        fs[1].cancel()
        done, pending = wait(fs, timeout=SHORT, return_when=FIRST_EXCEPTION)
        report("wait FIRST_EXCEPTION, a cancellation", f"done={indices(fs, done)} pending={indices(fs, pending)}")
        gate.set()


def future_scenarios():
    gate, started = threading.Event(), threading.Event()

    def running():
        started.set()
        return held(gate)

    with ThreadPoolExecutor(max_workers=1) as pool:
        ok = pool.submit(lambda: 7)
        ok.result()
        failed = pool.submit(boom)
        failed.exception()
        busy = pool.submit(running)
        queued = pool.submit(lambda: 8)
        started.wait()

        cancelled_queued = queued.cancel()
        cancelled_running = busy.cancel()
        report("cancel",
               f"queued={cancelled_queued}/{queued.cancelled()} "
               f"running={cancelled_running}/{busy.cancelled()} "
               f"done={ok.cancel()}/{ok.cancelled()}")

        try:
            busy.exception(timeout=SHORT)
            not_ready = "no error"
        except TimeoutError:
            not_ready = "TimeoutError"
        try:
            queued.exception()
            on_cancelled = "no error"
        except CancelledError:
            on_cancelled = "CancelledError"
        report("exception",
               f"ok={ok.exception()} failed={failed.exception()} "
               f"cancelled={on_cancelled} not_ready={not_ready}")
        gate.set()


# The raising callback and the raising initializer are logged by
# concurrent.futures; this script shows outcomes, not tracebacks.
logging.getLogger("concurrent.futures").setLevel(logging.CRITICAL + 1)


def callback_scenarios():
    main = threading.current_thread().name
    seen = {}

    def where(key):
        return lambda f: seen.__setitem__(key, threading.current_thread().name)

    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as pool:
        done = pool.submit(lambda: 1)
        done.result()
        done.add_done_callback(where("done"))
        pending = pool.submit(held, gate)
        pending.add_done_callback(where("pending"))
        queued = pool.submit(lambda: 2)
        queued.add_done_callback(where("cancelled"))
        queued.cancel()
        gate.set()
        pending.result()
    name = lambda key: "main" if seen.get(key) == main else "worker"  # noqa: E731
    report("callback threads",
           f"already done={name('done')} completed later={name('pending')} cancelled={name('cancelled')}")

    # When does result() return, relative to the callbacks?
    returned = threading.Event()
    observed = {}

    def slow_callback(future):
        observed["result() had returned"] = returned.wait(timeout=1.0)

    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        f = pool.submit(held, gate)
        f.add_done_callback(slow_callback)
        gate.set()
        f.result()
        returned.set()
    report("callback vs result()", f"result() returned before the callback ended={observed['result() had returned']}")

    ran = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        f = pool.submit(lambda: 42)

        def raising(_):
            raise RuntimeError("callback bug")

        gate = threading.Event()
        g = pool.submit(held, gate)
        g.add_done_callback(raising)
        g.add_done_callback(lambda _: ran.append("next"))
        gate.set()
        outcome = g.result()
    report("a raising callback", f"next callback ran={ran == ['next']} result={outcome} other result={f.result()}")


def iteration_scenarios():
    gate = threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        fs = [pool.submit(lambda: 0), pool.submit(held, gate)]
        yielded = []
        try:
            for f in as_completed(fs, timeout=WIDE):
                yielded.append(fs.index(f))
            end = "no timeout"
        except TimeoutError:
            end = "TimeoutError"
        report("as_completed with a timeout", f"yielded={yielded} then {end}")
        gate.set()

    gate, ran = threading.Event(), []

    def step(i):
        ran.append(i)
        if i == 1:
            gate.wait()
        return i

    with ThreadPoolExecutor(max_workers=1) as pool:
        results = []
        try:
            for r in pool.map(step, [0, 1, 2], timeout=WIDE):
                results.append(r)
            end = "no timeout"
        except TimeoutError:
            end = "TimeoutError"
        gate.set()
    report("map with a timeout", f"yielded={results} then {end}; ran={sorted(ran)}")


def initializer_scenarios():
    local = threading.local()

    def init(tag):
        local.tag = tag

    with ThreadPoolExecutor(max_workers=2, initializer=init, initargs=("ready",)) as pool:
        tags = set(pool.map(lambda _: getattr(local, "tag", None), range(8)))
    report("thread initializer", f"every task saw it={tags == {'ready'}}")

    def bad_init():
        raise RuntimeError("no database")

    pool = ThreadPoolExecutor(max_workers=1, initializer=bad_init)
    first = pool.submit(lambda: 1)
    try:
        first.result()
        first_outcome = "ran"
    except BrokenThreadPool:
        first_outcome = "BrokenThreadPool"
    try:
        later = pool.submit(lambda: 2)
        later_outcome = "submitted"
    except BrokenThreadPool:
        later_outcome = "BrokenThreadPool at submit"
    pool.shutdown()
    report("a failing thread initializer", f"first task={first_outcome} later submit={later_outcome}")


def pid(_):
    return os.getpid()


def square(n):
    return n * n


def process_scenarios():
    spawn = multiprocessing.get_context("spawn")  # max_tasks_per_child needs it
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn, max_tasks_per_child=2) as pool:
        pids = [pool.submit(pid, i).result() for i in range(5)]
    letters = {}
    pattern = "".join(letters.setdefault(p, "ABCDE"[len(letters)]) for p in pids)
    report("max_tasks_per_child=2, 5 tasks", f"worker pattern={pattern}")

    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        squares = list(pool.map(square, range(10), chunksize=4))
    report("map with chunksize=4", f"{squares}")


if __name__ == "__main__":
    wait_scenarios()
    future_scenarios()
    callback_scenarios()
    iteration_scenarios()
    initializer_scenarios()
    process_scenarios()
