"""
The faults, one function each: inflict it under bounded load, measure, judge.

Each scenario takes the ``Lab`` (the run's servers and site) and returns a
``Result`` whose ``passed`` applies the criterion its docstring states. The
criteria are fixed before the run: a scenario that fails is reported as
failed, never made easier to pass.
"""

import json
import socket
import time
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import files, load, stack
from .report import Result
from .staff import page_errors

HEALTH_LIMIT = 2.0  # seconds /healthz may take while the database is fine
OUTAGE_HEALTH_LIMIT = 2.5  # ... and while it is down or stuck
RECOVERY_LIMIT = 10.0  # seconds after the database is back
UPLOAD_LIMIT = 2.0  # seconds to refuse a file
WORKER_MEMORY_LIMIT_MB = 400
IMPORT_PATH = "/admin/programs/project/import/"
RECORD_PAGE = "/organizations/sast/"


@dataclass
class Lab:
    """What scenarios act on: the run's PostgreSQL, Redis and served site."""

    postgres: object
    redis: object
    site: object
    staff: object
    workdir: object

    def restore(self, patience=130):
        """Undo whatever a scenario left broken, so the next starts clean.

        A request the scenario gave up on may still run in a worker, holding
        locks every edit needs: it is waited for, up to gunicorn's timeout
        (120 s). A site that still fails some requests afterwards (a worker
        whose database connection stayed broken) is restarted. Return what
        had to be done, in words, or "".
        """
        self.postgres.thaw()
        if self.postgres.process.poll() is not None:
            self.postgres.start()
        self.redis.resume()
        if self.redis.process.poll() is not None:
            self.redis.start()
        done = []
        started = time.monotonic()
        while self.postgres.busy_connections():
            if time.monotonic() - started > patience:
                raise RuntimeError(f"requests still running after {patience} s")
            time.sleep(0.5)
        if time.monotonic() - started > 1:
            done.append(
                f"a request it left ran {time.monotonic() - started:.0f} s more"
            )
        if not _every_worker_serves(self.site):
            self.site.stop()
            self.site.start()
            done.append("the site still failed requests afterwards and was restarted")
        return "; ".join(done)


def _measured(result, background):
    """Copy the background's counts into ``result``; return ``result``."""
    tallies = (background.health, background.pages)
    result.requests += sum(t.requests for t in tallies)
    result.server_errors += sum(t.server_errors for t in tallies)
    result.connection_errors += sum(t.connection_errors for t in tallies)
    result.unavailable += sum(t.statuses[503] for t in tallies)
    result.worst_health = background.health.worst
    result.worst_page = background.pages.worst
    return result


def _untroubled(result):
    """Return True if every answer succeeded and /healthz stayed quick."""
    return (
        result.server_errors == result.unavailable == result.connection_errors == 0
        and result.worst_health < HEALTH_LIMIT
    )


def _steady_recovery(port, limit=RECOVERY_LIMIT + 5, streak=10):
    """Return the seconds until the site answers 200 ``streak`` times running.

    `/healthz` and a page in turn, each on a new connection: a run of them
    reaches every worker, so one worker that still fails breaks the streak.
    None if no such run came within ``limit`` seconds.
    """
    started = time.monotonic()
    streak_began, successes = None, 0
    while time.monotonic() - started < limit:
        for path in ("/healthz", "/projects/"):
            if load.fetch(port, path, timeout=5).status == 200:
                streak_began = streak_began or time.monotonic()
                successes += 1
            else:
                streak_began, successes = None, 0
                time.sleep(0.25)
            if successes >= streak:
                return streak_began - started
    return None


def _every_worker_serves(site, rounds=3):
    """Return True if concurrent requests, enough to reach every worker, all succeed.

    Sequential requests would not do: the kernel hands most of them to the
    same idle worker, and a worker that fails every request can go unseen.
    """
    paths = ["/healthz", "/projects/"] * int(site.workers)
    with ThreadPoolExecutor(len(paths)) as pool:
        for _ in range(rounds):
            answers = pool.map(lambda path: load.fetch(site.port, path), paths)
            if any(answer.status != 200 for answer in answers):
                return False
    return True


def _open_quiet_connection(port):
    return socket.create_connection(("127.0.0.1", port), timeout=2)


def idle_connections(lab):
    """50 connections that send nothing, held 10 s, under the mixed load.

    PASS: no 5xx and no connection error for probes or pages; `/healthz`
    under 2 s.
    """
    result = Result("idle-connections")
    with load.Background(lab.site.port) as background:
        time.sleep(1)
        quiet = [_open_quiet_connection(lab.site.port) for _ in range(50)]
        time.sleep(10)
        for connection in quiet:
            connection.close()
        time.sleep(1)
    _measured(result, background)
    result.passed = _untroubled(result)
    result.note = f"pages {background.pages.describe()}"
    return result


SLOW_HEADER = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def _open_slow_connection(port):
    """Open a connection and send most of a request header; None if refused."""
    try:
        connection = _open_quiet_connection(port)
        connection.sendall(SLOW_HEADER)
    except OSError:
        return None
    return connection


def _trickle(slow, port):
    """Send one more header byte on each connection; reopen the ones cut off.

    Return how many nginx had cut off.
    """
    dropped = 0
    for n, connection in enumerate(slow):
        try:
            connection.send(b"a")
            continue
        except AttributeError:  # it could not be opened last time
            pass
        except OSError:  # nginx gave up on it: come back, as an attacker would
            dropped += 1
            connection.close()
        slow[n] = _open_slow_connection(port)
    return dropped


def slowloris(lab, connections=500, seconds=15, interval=2):
    """500 connections sending a request header a byte every 2 s, for 15 s.

    PASS: no 5xx and no connection error for probes or pages; `/healthz`
    under 2 s.
    """
    result = Result("slowloris")
    dropped = 0
    with load.Background(lab.site.port) as background:
        slow = [_open_slow_connection(lab.site.port) for _ in range(connections)]
        opened = sum(connection is not None for connection in slow)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(interval)
            dropped += _trickle(slow, lab.site.port)
        for connection in filter(None, slow):
            connection.close()
    _measured(result, background)
    result.passed = _untroubled(result)
    result.note = (
        f"{opened} of {connections} slow connections opened; nginx cut {dropped} off "
        f"(client_header_timeout), each reopened; pages {background.pages.describe()}"
    )
    return result


def redis_killed(lab):
    """Redis killed (SIGKILL) 3 s into the mixed load, restarted 10 s later.

    PASS: no 5xx (503 included) and no connection error.
    """
    result = Result("redis-killed")
    with load.Background(lab.site.port) as background:
        time.sleep(3)
        lab.redis.kill()
        time.sleep(10)
        lab.redis.start()
        time.sleep(4)
    _measured(result, background)
    result.passed = result.server_errors == result.unavailable == 0 and not (
        result.connection_errors
    )
    result.note = f"pages {background.pages.describe()}"
    return result


RENAME = """
from programs.models import Organization
record = Organization.objects.get(slug="sast")
record.name_en = {name!r}
record.save()
"""


def redis_paused_during_edit(lab, checks=20):
    """A record renamed (shell, `.save()`) while Redis is paused (SIGSTOP).

    Its page is cached first; after Redis resumes it is asked for 20 times.
    PASS: no page shows the old name; no 5xx or connection error meanwhile.
    """
    result = Result("redis-paused-edit")
    port = lab.site.port
    cached = "not cached"
    for _ in range(10):
        if load.fetch(port, RECORD_PAGE).headers.get("x-page-cache") == "hit":
            cached = "cached"
            break
    new_name = f"Chaos renamed {int(time.time())}"
    with load.Background(port) as background:
        lab.redis.pause()
        try:
            started = time.monotonic()
            stack.manage(lab.site.env, "shell", "-c", RENAME.format(name=new_name))
            edit_seconds = time.monotonic() - started
        finally:
            lab.redis.resume()
    _measured(result, background)
    after = load.Tally()
    answers = []
    for _ in range(checks):
        answers.append(load.fetch(port, RECORD_PAGE))
        after.add(answers[-1])
        time.sleep(0.2)
    shown = [answer for answer in answers if answer.status == 200]
    result.stale = sum(new_name.encode() not in answer.body for answer in shown)
    result.requests += after.requests
    result.server_errors += after.server_errors
    result.unavailable += after.statuses[503]
    result.connection_errors += after.connection_errors
    hits = sum(answer.headers.get("x-page-cache") == "hit" for answer in shown)
    result.passed = (
        result.stale == 0
        and result.server_errors == result.unavailable == result.connection_errors == 0
    )
    result.note = (
        f"page {cached} before; the edit took {edit_seconds:.1f} s with Redis "
        f"paused (worst page latency is then); after it resumed: "
        f"{after.describe()}, {hits} cache hits, "
        f"{result.stale} stale"
    )
    return result


def _outage_misses(result, background, recovery):
    """Return what the PostgreSQL faults' criterion finds amiss, in words."""
    checks = {
        f"{result.server_errors} 5xx other than 503": result.server_errors,
        f"{result.connection_errors} connection errors": result.connection_errors,
        f"{background.pages.missing_retry_after} 503 pages without Retry-After": (
            background.pages.missing_retry_after
        ),
        f"/healthz took {result.worst_health:.1f} s": (
            result.worst_health >= OUTAGE_HEALTH_LIMIT
        ),
        "no steady recovery within 10 s": recovery is None or recovery > RECOVERY_LIMIT,
    }
    return [words for words, amiss in checks.items() if amiss]


def _outage_note(background, recovery, misses):
    back = "never" if recovery is None else f"{recovery:.1f} s"
    return (
        f"healthz {background.health.describe()}; pages {background.pages.describe()}"
        f"; steady 200s {back} after PostgreSQL was back"
        + (f"; missed: {', '.join(misses)}" if misses else "")
    )


def postgres_stopped(lab):
    """PostgreSQL stopped (`pg_ctl stop -m fast`) 3 s into the load, for 10 s.

    PASS: no 5xx but 503 (pages' 503s with Retry-After), no connection error,
    `/healthz` under 2.5 s, and 200 again, steadily (10 answers running, so
    from every worker), within 10 s of PostgreSQL's return, without
    restarting the app.
    """
    result = Result("postgres-stopped")
    with load.Background(lab.site.port) as background:
        time.sleep(3)
        lab.postgres.stop()
        time.sleep(10)
        lab.postgres.start()
        recovery = _steady_recovery(lab.site.port)
        time.sleep(2)
    _measured(result, background)
    misses = _outage_misses(result, background, recovery)
    result.passed = not misses
    result.note = _outage_note(background, recovery, misses)
    return result


def postgres_frozen(lab, seconds=15):
    """PostgreSQL frozen (SIGSTOP, postmaster and backends) for 15 s, 2 threads.

    PASS: as when stopped: no 5xx but 503, no connection error (so every
    `/healthz` probe answered), `/healthz` under 2.5 s, 200 again, steadily,
    within 10 s of the thaw.
    """
    result = Result("postgres-frozen")
    with load.Background(lab.site.port, page_threads=2) as background:
        time.sleep(3)
        lab.postgres.freeze()
        try:
            time.sleep(seconds)
        finally:
            lab.postgres.thaw()
        recovery = _steady_recovery(lab.site.port)
        time.sleep(2)
    _measured(result, background)
    misses = _outage_misses(result, background, recovery)
    result.passed = not misses
    result.note = _outage_note(background, recovery, misses)
    return result


def _upload(lab, result, filename, content, file_format, expected_words):
    """Upload a file to the project import; judge the refusal; return ``result``."""
    with load.MemoryWatch(lab.site.gunicorn_pids) as memory:
        answer = lab.staff.upload(IMPORT_PATH, filename, content, file_format)
    result.requests = 1
    result.worst_page = answer.seconds
    result.peak_mb = memory.peak_mb
    result.server_errors = int(answer.status >= 500)
    result.connection_errors = int(answer.status == 0)
    message = page_errors(answer.body) if answer.status == 200 else ""
    refused = (answer.status == 200 and expected_words in message) or (
        400 <= answer.status < 500
    )
    result.passed = (
        refused
        and answer.seconds < UPLOAD_LIMIT
        and memory.peak_mb < WORKER_MEMORY_LIMIT_MB
    )
    if answer.status == 0:
        said = f"no answer ({answer.error})"
    elif answer.status == 200:
        said = f"200 with “{message[:160]}”" if message else "200, no error shown"
    else:
        said = str(answer.status)
    result.note = (
        f"{len(content) / 1e6:.1f} MB file: {said} after {answer.seconds:.2f} s"
    )
    return result


def zip_bomb(lab):
    """An .xlsx of 3 MB whose sheet unpacks to 1 GB, uploaded to the import.

    PASS: refused with the app's message (or a 4xx) within 2 s, no 5xx, and
    no gunicorn process above 400 MB meanwhile.
    """
    path = lab.workdir / "bomb.xlsx"
    files.zip_bomb(path)
    result = Result("zip-bomb")
    return _upload(
        lab, result, "bomb.xlsx", path.read_bytes(), "xlsx", "would unpack to"
    )


def huge_csv(lab):
    """A 60 MB CSV uploaded to the import.

    PASS: refused (nginx's 413 or the app's message) within 2 s, no 5xx, no
    dropped connection.
    """
    result = Result("60mb-csv")
    return _upload(
        lab, result, "huge.csv", files.huge_csv(), "csv", "the most an import takes"
    )


def many_rows(lab):
    """A CSV of 20,000 short project rows (0.6 MB), twice the row limit.

    PASS: refused with the row-limit message (or a 4xx) within 2 s, no 5xx,
    and no gunicorn process above 400 MB meanwhile.
    """
    result = Result("20000-rows")
    return _upload(
        lab, result, "rows.csv", files.many_rows_csv(), "csv", "an import takes at most"
    )


HOSTILE_TEXT = """
import json
from django.core.exceptions import ValidationError
from programs.models import Agreement, Organization, Project, Source

def refused(record, field):
    try:
        record.full_clean()
    except ValidationError as error:
        return field in error.message_dict
    return False

agreement = Agreement.objects.public().first()
agreement.name_en += "\\x0bchaos"
organization = Organization.objects.public().get(slug="shanghai-qingpu-industrial-park")
organization.website = "javascript:alert(1)"
source = Source.objects.public().first()
source.url = "javascript:alert(1)"
project = Project.objects.public().first()
project.summary_en = "chaos" + "w" * 5000
records = (agreement, organization, source, project)
report = {
    "control": refused(agreement, "name_en"),
    "website": refused(organization, "website"),
    "url": refused(source, "url"),
}
for record in records:
    record.save()  # as a fixture is loaded: no validation
report["pages"] = [record.get_absolute_url() for record in records]
print(json.dumps(report))
"""
FEEDS = ("/feeds/agreements/", "/feeds/projects/", "/sitemap.xml")
LISTS = ("/", "/projects/", "/agreements/", "/organizations/", "/search/?q=chaos")


def hostile_text(lab):
    """A \\x0b in an agreement's name, `javascript:alert(1)` as an organization's
    website and a source's link, a 5,000-letter word in a project's summary.

    Each is offered to `full_clean` (what the admin and imports run), then
    stored with a plain `.save()`, as a fixture would store it. PASS: every
    page showing them, the feeds and the sitemap answer 200; the feeds and
    the sitemap are valid XML; no page has `href="javascript:`.
    """
    result = Result("hostile-text")
    output = stack.manage(lab.site.env, "shell", "-c", HOSTILE_TEXT)
    stored = json.loads(output.strip().splitlines()[-1])
    problems = []
    for path in (*FEEDS, *LISTS, *stored["pages"]):
        answer = load.fetch(lab.site.port, path)
        result.requests += 1
        result.worst_page = max(result.worst_page or 0, answer.seconds)
        result.server_errors += int(answer.status >= 500)
        result.connection_errors += int(answer.status == 0)
        if answer.status != 200:
            problems.append(f"{path} answered {answer.status or answer.error}")
        elif b'href="javascript:' in answer.body.lower():
            problems.append(f"{path} links to javascript:")
        elif path in FEEDS:
            try:
                ElementTree.fromstring(answer.body)
            except ElementTree.ParseError as error:
                problems.append(f"{path} is not valid XML ({error})")
    result.passed = not problems
    refused = [name for name in ("control", "website", "url") if stored[name]]
    result.note = (
        f"full_clean refused: {', '.join(refused) or 'nothing'}; stored raw, "
        f"{result.requests} pages and feeds checked: "
        + ("; ".join(problems) or "all 200, valid XML, no javascript: link")
    )
    return result


SCENARIOS = {
    "idle-connections": idle_connections,
    "slowloris": slowloris,
    "redis-killed": redis_killed,
    "redis-paused-edit": redis_paused_during_edit,
    "postgres-stopped": postgres_stopped,
    "postgres-frozen": postgres_frozen,
    "zip-bomb": zip_bomb,
    "60mb-csv": huge_csv,
    "20000-rows": many_rows,
    "hostile-text": hostile_text,
}
