"""
Each scenario's result, and docs/reliability.md written from a run's results.
"""

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass

from . import load


@dataclass
class Result:
    """What one scenario measured, and whether it met its criterion."""

    name: str
    passed: bool = False
    criterion: str = ""
    seconds: float = 0.0
    requests: int = 0
    server_errors: int = 0  # 5xx answers other than 503
    connection_errors: int = 0  # no answer: refused, reset or timed out
    unavailable: int = 0  # 503s
    worst_health: float | None = None
    worst_page: float | None = None
    peak_mb: int | None = None
    stale: int | None = None
    note: str = ""


def _seconds(value):
    return "–" if value is None else f"{value:.2f} s"


def _optional(value, unit=""):
    return "–" if value is None else f"{value}{unit}"


def _row(result):
    cells = [
        f"`{result.name}`",
        f"{result.seconds:.0f} s",
        str(result.requests),
        f"{result.server_errors} / {result.connection_errors}",
        str(result.unavailable),
        _seconds(result.worst_health),
        _seconds(result.worst_page),
        _optional(result.peak_mb, " MB"),
        _optional(result.stale),
        "**PASS**" if result.passed else "**FAIL**",
        result.note.replace("|", "\\|"),
    ]
    return "| " + " | ".join(cells) + " |"


def machine():
    """Return the machine's cores, memory and kernel, in words."""
    with open("/proc/meminfo") as meminfo:
        kilobytes = int(meminfo.readline().split()[1])
    return (
        f"{os.cpu_count()} cores, {kilobytes / 1024**2:.1f} GB memory, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def nginx_version():
    output = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
    return output.strip().split("/")[-1]


def render(results, *, versions, settings, seconds):
    """Return the report, in Markdown."""
    passed = sum(result.passed for result in results)
    lines = [
        "# Reliability under faults",
        "",
        "Written by `make chaos` (`python -m reliability.run`; how it works: "
        "[reliability/README.md](../reliability/README.md)). Each scenario "
        "inflicts one fault on the production stack (nginx in front of "
        "gunicorn, PostgreSQL, Redis) under bounded load and is judged "
        "against a criterion fixed beforehand. PostgreSQL and Redis are "
        "throw-away servers of the run's own, never the machine's shared ones.",
        "",
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: {machine()}",
        f"- Versions: {versions}",
        f"- Settings: {settings}",
        f"- Load during each fault: `/healthz` every {load.PROBE_INTERVAL} s on a "
        f"fresh connection, {load.PROBE_TIMEOUT} s client timeout; 3 threads "
        "(2 while PostgreSQL is frozen) requesting "
        + ", ".join(f"`{path}`" for path in load.PUBLIC_PAGES)
        + f" in turn, {load.PAGE_TIMEOUT} s client timeout",
        f"- Result: {passed} of {len(results)} scenarios passed, "
        f"in {seconds / 60:.1f} minutes with setup",
        "",
        "Errors are 5xx answers other than 503, and requests that got no answer "
        "(refused, reset, or past the client timeout). A 503 is the right "
        "answer while the database is down, and an error anywhere else.",
        "",
        "| Scenario | Duration | Requests | Errors (5xx / conn.) | 503s "
        "| Worst `/healthz` | Worst page | Peak worker memory | Stale pages "
        "| Result | Note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        *map(_row, results),
        "",
        "## Criteria",
        "",
        *(f"- `{result.name}`: {result.criterion}" for result in results),
        "",
    ]
    return "\n".join(lines)
