"""
Run wrk (https://github.com/wg/wrk, Debian's ``wrk`` package) and read the
report it prints with ``--latency``.

Only the standard library: the harness runs these outside Django.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass

# wrk's own units (src/units.c): times in us/ms/s/m/h, sizes in binary multiples.
TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
SIZE_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50}

SUMMARY = re.compile(
    r"(?P<requests>\d+) requests in (?P<time>[\d.]+\w+), (?P<size>[\d.]+\w*B) read"
)
PERCENTILE = re.compile(r"^\s*(?P<percent>\d+(?:\.\d+)?)%\s+(?P<time>[\d.]+\w+)\s*$")
SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
NON_SUCCESS = re.compile(r"Non-2xx or 3xx responses: (\d+)")
REQUESTS_PER_SECOND = re.compile(r"Requests/sec:\s+(?P<rate>[\d.]+)")


class WrkOutputError(ValueError):
    """wrk printed something that is not the report this module knows."""


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency percentiles and errors."""

    requests: int
    seconds: float
    requests_per_second: float
    latency_ms: dict  # percentile (50.0, 75.0, 90.0, 99.0) -> milliseconds
    bytes_read: int
    non_2xx_3xx: int
    socket_errors: int  # connect + read + write + timeout

    @property
    def p50_ms(self):
        return self.latency_ms[50.0]

    @property
    def p99_ms(self):
        return self.latency_ms[99.0]

    @property
    def errors(self):
        """Responses that were not 2xx/3xx, plus requests that got none."""
        return self.non_2xx_3xx + self.socket_errors


def parse_time_ms(text):
    """Return wrk's time ``text`` ("850.00us", "1.20s") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)([a-z]+)", text.strip())
    if not match or match[2] not in TIME_UNITS:
        raise WrkOutputError(f"not a wrk time: {text!r}")
    return float(match[1]) * TIME_UNITS[match[2]]


def parse_size_bytes(text):
    """Return wrk's size ``text`` ("150.23MB", "512.00B") in bytes."""
    match = re.fullmatch(r"([\d.]+)([KMGTP]?)B", text.strip())
    if not match:
        raise WrkOutputError(f"not a wrk size: {text!r}")
    return round(float(match[1]) * SIZE_UNITS[match[2]])


def parse(output):
    """Return the WrkResult in wrk's ``--latency`` report ``output``."""
    summary = SUMMARY.search(output)
    rate = REQUESTS_PER_SECOND.search(output)
    if not summary or not rate:
        raise WrkOutputError(f"no wrk summary in:\n{output}")
    latency = {}
    in_distribution = False
    for line in output.splitlines():
        if "Latency Distribution" in line:
            in_distribution = True
        elif in_distribution and (match := PERCENTILE.match(line)):
            latency[float(match["percent"])] = parse_time_ms(match["time"])
        elif in_distribution:
            in_distribution = False
    if 50.0 not in latency or 99.0 not in latency:
        raise WrkOutputError(f"no latency distribution (--latency) in:\n{output}")
    sockets = SOCKET_ERRORS.search(output)
    non_success = NON_SUCCESS.search(output)
    return WrkResult(
        requests=int(summary["requests"]),
        seconds=parse_time_ms(summary["time"]) / 1000,
        requests_per_second=float(rate["rate"]),
        latency_ms=latency,
        bytes_read=parse_size_bytes(summary["size"]),
        non_2xx_3xx=int(non_success[1]) if non_success else 0,
        socket_errors=sum(map(int, sockets.groups())) if sockets else 0,
    )


def version():
    """Return wrk's version line, or None when wrk is not installed."""
    if not shutil.which("wrk"):
        return None
    # `wrk -v` prints its banner and usage, and exits 1.
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    banner = (result.stdout or result.stderr).splitlines()[0]
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    return banner.split(" [", 1)[0].split(" Copyright", 1)[0].strip()


def run(url, *, threads, connections, seconds, timeout_s=10):
    """Load ``url`` with wrk and return its parsed WrkResult."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout_s}s",
        "--latency",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse(result.stdout)
