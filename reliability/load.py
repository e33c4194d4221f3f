"""
Bounded load and probes: what each fault scenario measures the site with.

Every request goes on a fresh connection, as a visitor's or a load
balancer's would, with a client timeout, so that a site that stops answering
is recorded as a timeout rather than stalling the run.
"""

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PUBLIC_PAGES = (
    "/",
    "/projects/",
    "/organizations/",
    "/stats/",
    "/search/?q=qingpu",
    "/feeds/projects/",
    "/organizations/sast/",
)
PROBE_INTERVAL = 0.25
PROBE_TIMEOUT = 5
PAGE_TIMEOUT = 10


@dataclass
class Answer:
    """One request's outcome: a status (0 if none came), headers, body, time."""

    status: int
    seconds: float
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    error: str = ""


def fetch(port, path, *, timeout=PAGE_TIMEOUT, method="GET", headers=None, body=None):
    """Request ``path`` on a new connection; never raise for a network failure."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return Answer(
            response.status,
            time.monotonic() - started,
            {name.lower(): value for name, value in response.getheaders()},
            content,
        )
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, time.monotonic() - started, error=type(error).__name__)
    finally:
        connection.close()


class Tally:
    """Counts of statuses and failures, and the worst latency, across threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.failures = Counter()  # connection errors and timeouts, by kind
        self.missing_retry_after = 0
        self.worst = 0.0

    def add(self, answer):
        with self.lock:
            self.worst = max(self.worst, answer.seconds)
            if answer.status:
                self.statuses[answer.status] += 1
            else:
                self.failures[answer.error] += 1
            if answer.status == 503 and "retry-after" not in answer.headers:
                self.missing_retry_after += 1

    @property
    def requests(self):
        return sum(self.statuses.values()) + sum(self.failures.values())

    @property
    def server_errors(self):
        """Return the 5xx answers other than 503 (an outage's right answer)."""
        return (
            sum(n for status, n in self.statuses.items() if status >= 500)
            - (self.statuses[503])
        )

    @property
    def connection_errors(self):
        return sum(self.failures.values())

    def describe(self):
        parts = [f"{status}×{n}" for status, n in sorted(self.statuses.items())]
        parts += [f"{error}×{n}" for error, n in sorted(self.failures.items())]
        return ", ".join(parts) or "none"


class Background:
    """The health probe and a small mixed load, run while a fault happens.

    One thread asks ``/healthz`` every quarter second with the 5 s timeout a
    load balancer might give it; ``page_threads`` threads request the public
    pages in turn, as fast as they are answered.
    """

    def __init__(self, port, page_threads=3):
        self.port = port
        self.health = Tally()
        self.pages = Tally()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._probe, daemon=True)] + [
            threading.Thread(target=self._browse, args=(n,), daemon=True)
            for n in range(page_threads)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(PAGE_TIMEOUT + 1)

    def _probe(self):
        while not self.stopping.is_set():
            self.health.add(fetch(self.port, "/healthz", timeout=PROBE_TIMEOUT))
            self.stopping.wait(PROBE_INTERVAL)

    def _browse(self, offset):
        turn = offset
        while not self.stopping.is_set():
            path = PUBLIC_PAGES[turn % len(PUBLIC_PAGES)]
            self.pages.add(fetch(self.port, path))
            turn += 1


def memory_kb(pid, line):
    """Return the ``line`` ("VmRSS", "VmHWM") of /proc/<pid>/status in kB."""
    try:
        for text in Path(f"/proc/{pid}/status").read_text().splitlines():
            if text.startswith(line + ":"):
                return int(text.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch:
    """The largest resident size any of some processes reaches meanwhile.

    It samples VmRSS every 50 ms and, at the end, also takes each process's
    high-water mark (VmHWM) where that rose during the watch, so a peak
    between two samples is not missed.
    """

    def __init__(self, list_pids):
        self.list_pids = list_pids
        self.peak_kb = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.marks = {pid: memory_kb(pid, "VmHWM") for pid in self.list_pids()}
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join()
        for pid, mark in self.marks.items():
            now = memory_kb(pid, "VmHWM")
            if now > mark:
                self.peak_kb = max(self.peak_kb, now)

    def _sample(self):
        while not self.stopping.is_set():
            for pid in self.list_pids():
                self.peak_kb = max(self.peak_kb, memory_kb(pid, "VmRSS"))
            self.stopping.wait(0.05)

    @property
    def peak_mb(self):
        return round(self.peak_kb / 1024)
