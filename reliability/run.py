"""
Run the fault scenarios and write docs/reliability.md.

    python -m reliability.run                       # all of them (make chaos)
    python -m reliability.run --only slowloris zip-bomb --output var/chaos.md

Everything the run starts (PostgreSQL, Redis, nginx, gunicorn) lives in one
temporary directory and is stopped, and the directory removed, however the
run ends: a failure, an exception or Ctrl-C. Exits 1 if any scenario failed.
"""

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import django
import gunicorn

from . import report, scenarios, stack
from .services import Postgres, Redis
from .staff import StaffSession

OUTPUT = stack.ROOT / "docs" / "reliability.md"
# Where the servers' logs are kept after the run, for the failures' tracebacks.
LOGS = stack.ROOT / "var" / "chaos"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(scenarios.SCENARIOS),
        metavar="NAME",
        help="run only these scenarios: " + ", ".join(scenarios.SCENARIOS),
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    return parser.parse_args(argv)


def criterion(scenario):
    """Return what a scenario does and its criterion: its docstring, one line."""
    return " ".join(scenario.__doc__.split())


def run_one(name, lab):
    """Run scenario ``name``; an exception in it is a failure, not the end."""
    scenario = scenarios.SCENARIOS[name]
    print(f"--- {name}: {scenario.__doc__.splitlines()[0]}", flush=True)
    started = time.monotonic()
    try:
        result = scenario(lab)
    except Exception as error:
        traceback.print_exc()
        result = report.Result(name, note=f"the scenario itself failed: {error}")
    result.seconds = time.monotonic() - started
    result.criterion = criterion(scenario)
    aftermath = lab.restore()
    if aftermath:
        result.note += f"; {aftermath}"
    print(
        f"    {'PASS' if result.passed else 'FAIL'} in {result.seconds:.0f} s: "
        f"{result.note}",
        flush=True,
    )
    return result


def settings_used(site):
    """Return the environment given and the waits and limits in effect, in words."""
    given = ", ".join(
        f"`{name}={value}`"
        for name, value in sorted(site.env.items())
        if name.startswith("DJANGO_") and name != "DJANGO_SECRET_KEY"
    )
    effective = stack.effective_settings(site.env)
    in_effect = "; ".join(f"{name} `{value}`" for name, value in effective.items())
    nginx = ", ".join(f"`{line}`" for line in site.nginx_limits())
    return (
        f"environment {given} (the statement timeout shortened from 30 s for the "
        f"run; the rest as `make serve` would have it). In effect: {in_effect}; "
        f"nginx {nginx}."
    )


def keep_logs(workdir):
    """Copy the site's and PostgreSQL's logs out of the temporary directory."""
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in ("serve.log", "postgres/server.log"):
        if (workdir / log).exists():
            shutil.copy(workdir / log, LOGS / log.replace("/", "-"))


def main(argv=None):
    options = parse_args(argv)
    names = options.only or list(scenarios.SCENARIOS)
    versions = settings = "unknown"
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="talentzone-chaos-"))
    # The postgres user must reach its data directory inside.
    workdir.chmod(0o755)
    postgres, redis, site = Postgres(workdir), Redis(workdir), None
    results = []
    try:
        print(f"Starting PostgreSQL and Redis in {workdir}", flush=True)
        postgres.create()
        redis.start()
        env = stack.environment(postgres, redis)
        print("Migrating, loading the seeds, collecting static files", flush=True)
        password = stack.prepare(env)
        site = stack.Site(env, workdir / "nginx")
        site.start()
        print(f"Serving on 127.0.0.1:{site.port}, {site.workers} workers", flush=True)
        staff = StaffSession(site.port, stack.STAFF_USER, password)
        staff.login()
        lab = scenarios.Lab(postgres, redis, site, staff, workdir)
        versions = (
            f"nginx {report.nginx_version()}, {postgres.version}, "
            f"Redis {redis.version}, Django {django.get_version()}, "
            f"gunicorn {gunicorn.__version__} with {site.workers} sync workers"
        )
        settings = settings_used(site)
        for name in names:
            try:
                results.append(run_one(name, lab))
            except RuntimeError as error:  # the stack could not be restored
                print(f"Stopping early: {error}", flush=True)
                break
    finally:
        if site is not None:
            site.stop()
        keep_logs(workdir)
        postgres.close()
        redis.close()
        shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.monotonic() - started
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(
        report.render(results, versions=versions, settings=settings, seconds=seconds)
    )
    failed = [result.name for result in results if not result.passed]
    failed += [name for name in names[len(results) :]]  # never run
    print(f"Wrote {options.output} after {seconds:.0f} s; logs in {LOGS}.", flush=True)
    print(f"Failed: {', '.join(failed)}" if failed else "Every scenario passed.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
