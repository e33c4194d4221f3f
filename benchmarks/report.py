"""
Write docs/performance.md from one benchmark run: the machine, a table per
size, the ratios, and each target met or missed with its figure.
"""

from .wrk import WrkResult

# The pages the targets speak of, in the order the tables show them.
PAGE_LABELS = {
    "home": "Home",
    "stats": "Statistics",
    "list": "List",
    "filtered": "Filtered list",
    "search": "Search",
    "detail": "Detail page",
    "api": "API list (JSON)",
    "drf_floor": "DRF floor (the ceiling through the API's DRF stack)",
    "ceiling": "Ceiling (JSON, 1 query)",
}
MODES = ("uncached", "cached")

# The targets docs/performance.md reports on, measured here rather than
# asserted in tests.
P50_GROWTH_LIMIT = 1.5
CACHED_LIST_TO_CEILING = 1.0
AFTER_EDIT_LIMIT = 2.0
# The downloads, as a multiple of the reference path's rows a second (how
# every download was written before export_sql.py), at the largest size.
EXPORT_SPEED_UP = 10.0
# The admin at the largest size: every case of benchmarks/admin.py.
ADMIN_LIMIT_MS = 150.0
# An admin import of benchmarks.imports' file, preview and confirmation each.
IMPORT_ROWS_PER_SECOND = 1000.0
# Uncached pages, as shares of the ceiling's throughput, at every size.
UNCACHED_TO_CEILING = (
    ("list", 0.5, "Uncached list page"),
    ("filtered", 0.5, "Uncached filtered list page"),
    ("detail", 0.5, "Uncached detail page"),
    ("home", 0.3, "Uncached home page"),
    ("api", 0.7, "Uncached API list"),
)


STANDING_NOTES = (
    "The export is written by PostgreSQL (`COPY (SELECT …) TO STDOUT`): a "
    "fixed number of queries however many rows, streamed as COPY writes it.",
    "Latency is measured by wrk at 16 connections, so it includes queueing "
    "behind the other connections whenever all workers are busy: p50 is close "
    "to connections ÷ throughput, not to the time one request takes alone.",
)


def ratio(numerator, denominator):
    return numerator / denominator if denominator else float("inf")


def ceiling_rps(size_result):
    """Return the ceiling's throughput: measured with the page cache off."""
    results = size_result["results"]
    # A run of the cached mode alone (--modes cached) has its own ceiling.
    mode = "uncached" if "uncached" in results else "cached"
    return results[mode]["ceiling"].requests_per_second


def ceiling_around(size_result, mode, page):
    """Return the ceiling's throughput to compare ``page`` in ``mode`` with.

    The mean of the ceiling's runs just before and after the page's
    (run.load_pages); a run recorded before those has one ceiling.
    """
    around = size_result["results"][mode].get("_ceiling_around", {})
    return around.get(page) or ceiling_rps(size_result)


def page_queries(size_result, page, mode="uncached"):
    url = size_result["plan"]["urls"][page]
    return size_result["queries"][mode][url]["queries"]


def modes_of(size_result):
    return [mode for mode in MODES if mode in size_result["results"]]


def evaluate(sizes):
    """Return (target, figure, met) for each target, over the run's sizes."""
    small, large = sizes[0], sizes[-1]
    targets = []

    pages = [page for page in PAGE_LABELS if page != "ceiling"]
    changed = [
        f"{PAGE_LABELS[page]} {page_queries(small, page)} → {page_queries(large, page)}"
        for page in pages
        if page_queries(small, page) != page_queries(large, page)
    ]
    targets.append(
        (
            f"Queries per page constant from {small['size']:,} to "
            f"{large['size']:,} records",
            "; ".join(changed)
            or ", ".join(f"{PAGE_LABELS[p]} {page_queries(large, p)}" for p in pages),
            not changed,
        )
    )

    growth = []
    for mode in modes_of(large):
        for page in PAGE_LABELS:
            before = small["results"][mode][page].p50_ms
            after = large["results"][mode][page].p50_ms
            growth.append((ratio(after, before), page, mode, before, after))
    worst = max(growth)
    targets.append(
        (
            f"p50 at {large['size']:,} records within {P50_GROWTH_LIMIT:g}x of "
            f"{small['size']:,}",
            f"worst: {PAGE_LABELS[worst[1]]}, {worst[2]}, {worst[3]:.1f} → "
            f"{worst[4]:.1f} ms ({worst[0]:.2f}x)",
            worst[0] <= P50_GROWTH_LIMIT,
        )
    )

    for page, limit, label in UNCACHED_TO_CEILING:
        if all(page in size["results"].get("uncached", {}) for size in sizes):
            targets.append(share_target(sizes, "uncached", page, limit, label))
    if "cached" in large["results"]:
        targets.append(
            share_target(
                sizes, "cached", "list", CACHED_LIST_TO_CEILING, "Cached list page"
            )
        )

    if all("after_edit" in size for size in sizes):
        slowest = max(
            (
                ratio(times["first_after_edit_ms"], times["warm_ms"]),
                url,
                size["size"],
                times,
            )
            for size in sizes
            for url, times in size["after_edit"].items()
        )
        share, url, n, times = slowest
        targets.append(
            (
                f"First request after an edit within {AFTER_EDIT_LIMIT:g}x of a "
                "warm one (home, statistics, list; page cache off)",
                f"worst: `{url}` at {n:,}, {times['warm_ms']:.1f} → "
                f"{times['first_after_edit_ms']:.1f} ms ({share:.2f}x)",
                share <= AFTER_EDIT_LIMIT,
            )
        )

    if "exports" in large:
        targets.append(export_target(large))
    if "admin" in large:
        targets.append(admin_target(large))
    if "import" in large:
        targets.append(import_target(large))

    errors = total_errors(sizes)
    targets.append(("Zero errors", f"{errors:,} in all runs", errors == 0))
    return targets


def export_target(size):
    exports = size["exports"]
    shares = {
        name: ratio(timed["rows_per_second"], timed["reference_rows_per_second"])
        for name, timed in exports.items()
        if name != "rows"
    }
    identical = all(exports[name]["identical"] for name in shares)
    return (
        f"CSV and JSON downloads at least {EXPORT_SPEED_UP:g}x the reference "
        f"path's rows/s, byte for byte the same, at {exports['rows']:,} rows",
        ", ".join(
            f"{name.upper()} {share:.1f}x "
            f"({exports[name]['rows_per_second']:,.0f} against "
            f"{exports[name]['reference_rows_per_second']:,.0f} rows/s)"
            for name, share in shares.items()
        )
        + ("; the same bytes" if identical else "; **the bytes differ**"),
        identical and min(shares.values()) >= EXPORT_SPEED_UP,
    )


def admin_cases(size):
    """Return the admin's timed cases, slowest first."""
    timed = [case for case in size["admin"] if case["ms"] is not None]
    return sorted(timed, key=lambda case: -case["ms"])


def admin_target(size):
    cases = admin_cases(size)
    failed = [case for case in size["admin"] if case["status"] != 200]
    over = [case for case in cases if case["ms"] > ADMIN_LIMIT_MS]
    slowest = cases[0]
    return (
        f"Admin at {size['size']:,} records: every changelist, search, filter "
        f"and sort ≤ {ADMIN_LIMIT_MS:g} ms in-process",
        f"{len(cases) - len(over)} of {len(size['admin'])} cases; slowest "
        f"{slowest['ms']:.0f} ms ({slowest['admin']}, {slowest['role']}, "
        f"{slowest['case']})" + (f"; {len(failed)} not answered 200" if failed else ""),
        not over and not failed,
    )


def import_target(size):
    imported = size["import"]
    phases = {"preview": imported["preview"], "confirm": imported["confirm"]}
    errors = sum(len(phase["errors"]) for phase in phases.values())
    return (
        f"Admin import of {imported['file']['rows']:,} rows at least "
        f"{IMPORT_ROWS_PER_SECOND:,.0f} rows/s, preview and confirmation",
        ", ".join(
            f"{name} {phase['rows_per_second']:,.0f} rows/s "
            f"({phase['rows_per_cpu_second']:,.0f} per CPU-second)"
            for name, phase in phases.items()
        )
        + (f"; {errors} errors" if errors else ""),
        not errors
        and min(phase["rows_per_second"] for phase in phases.values())
        >= IMPORT_ROWS_PER_SECOND,
    )


def share_target(sizes, mode, page, limit, label):
    """Return the target that ``page`` reaches ``limit`` x the ceiling at every size."""
    shares = [
        (
            ratio(
                size["results"][mode][page].requests_per_second,
                ceiling_around(size, mode, page),
            ),
            size["size"],
        )
        for size in sizes
    ]
    return (
        f"{label} at least {limit:g}x the ceiling's throughput",
        ", ".join(f"{share:.2f}x at {n:,}" for share, n in shares),
        min(shares)[0] >= limit,
    )


def total_errors(sizes):
    total = 0
    for size in sizes:
        for mode in modes_of(size):
            total += sum(
                result.errors
                for result in size["results"][mode].values()
                if isinstance(result, WrkResult)
            )
        total += size["results"]["export"].errors
    return total


def size_table(size):
    """Return the Markdown table of one size's pages, in every mode run."""
    lines = [
        "| Page | Address | Page cache | Req/s | p50 ms | p99 ms | Errors "
        "| Queries | Alone ms | × ceiling |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page, label in PAGE_LABELS.items():
        url = size["plan"]["urls"][page]
        for mode in modes_of(size):
            result = size["results"][mode][page]
            probe = size["queries"][mode][url]
            header = size["results"][mode]["_headers"].get(page)
            cache = f"on: {header or 'not used'}" if mode == "cached" else "off"
            share = ratio(result.requests_per_second, ceiling_around(size, mode, page))
            lines.append(
                f"| {label} | `{url}` | {cache} "
                f"| {result.requests_per_second:,.0f} | {result.p50_ms:.1f} "
                f"| {result.p99_ms:.1f} | {result.errors} | {probe['queries']} "
                f"| {probe['alone_ms']:.1f} "
                f"| {share:.2f} |"
            )
    return "\n".join(lines)


def export_line(size):
    export = size["results"]["export"]
    url = size["plan"]["urls"]["export"]
    probe = size["queries"]["uncached"][url]
    megabytes = probe["bytes"] / 2**20
    per_export_s = export.p50_ms / 1000
    return (
        f"CSV export `{url}`: {size['plan']['rows'][size['plan']['list']]:,} rows, "
        f"{megabytes:.1f} MB; {export.requests} exports in {export.seconds:.0f} s "
        f"one at a time, p50 {per_export_s:.2f} s per export "
        f"({megabytes / per_export_s:.1f} MB/s), p99 {export.p99_ms / 1000:.2f} s, "
        f"{export.errors} errors, {probe['queries']} queries."
    )


def ratio_table(small, large):
    modes = modes_of(large)
    header = "| Page | Queries | " + " | ".join(
        f"Req/s {mode} | p50 {mode}" for mode in modes
    )
    lines = [header + " |", "| --- | ---: |" + " ---: | ---: |" * len(modes)]
    for page, label in PAGE_LABELS.items():
        cells = [f"{page_queries(small, page)} → {page_queries(large, page)}"]
        for mode in modes:
            before, after = small["results"][mode][page], large["results"][mode][page]
            cells.append(
                f"{ratio(after.requests_per_second, before.requests_per_second):.2f}x"
            )
            cells.append(f"{ratio(after.p50_ms, before.p50_ms):.2f}x")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    before, after = small["results"]["export"], large["results"]["export"]
    cells = [
        f"{page_queries(small, 'export')} → {page_queries(large, 'export')}",
        f"{ratio(after.requests_per_second, before.requests_per_second):.3f}x",
        f"{ratio(after.p50_ms, before.p50_ms):.0f}x",
    ]
    cells += ["", ""] * (len(modes) - 1)
    lines.append("| CSV export (page cache off) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def exports_table(sizes):
    lines = [
        "| Records | Format | Rows/s (database) | Rows/s (reference) | × | "
        "Seconds | Same bytes |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in sizes:
        exports = size["exports"]
        for name in ("csv", "json"):
            timed = exports[name]
            share = ratio(timed["rows_per_second"], timed["reference_rows_per_second"])
            lines.append(
                f"| {exports['rows']:,} | {name.upper()} "
                f"| {timed['rows_per_second']:,.0f} "
                f"| {timed['reference_rows_per_second']:,.0f} "
                f"| {share:.1f} "
                f"| {timed['seconds']:.2f} against {timed['reference_seconds']:.2f} "
                f"| {'yes' if timed['identical'] else '**no**'} |"
            )
    return "\n".join(lines)


# How many of the admin's slowest cases the report lists.
ADMIN_SLOWEST = 15


def admin_section(size):
    cases = admin_cases(size)
    admins = len({case["admin"] for case in cases})
    lines = [
        f"{len(cases)} cases over {admins} model admins and two roles (a "
        "superuser and a district editor), each the median of "
        "`benchmarks/admin.py`'s runs in-process, after a warm-up. The "
        f"{ADMIN_SLOWEST} slowest:",
        "",
        "| Admin | Role | Case | ms | Queries |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for case in cases[:ADMIN_SLOWEST]:
        lines.append(
            f"| {case['admin']} | {case['role']} | {case['case']} "
            f"| {case['ms']:.1f} | {case['queries']} |"
        )
    return "\n".join(lines)


def import_section(size):
    imported = size["import"]
    file = imported["file"]
    lines = [
        f"A CSV file of {file['rows']:,} experts ({file['bytes'] / 2**20:.1f} MB), "
        "imported as the admin imports it (`benchmarks/imports.py`), on the "
        "database above and rolled back afterwards. Wall-clock rows a second, "
        "and rows per second of the CPU time Python and PostgreSQL spent (what "
        "a quiet machine with a core for each allows).",
        "",
        "| Phase | Rows/s | Rows per CPU-second | Seconds | Queries | Errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("preview", "confirm"):
        phase = imported[name]
        lines.append(
            f"| {name} | {phase['rows_per_second']:,.0f} "
            f"| {phase['rows_per_cpu_second']:,.0f} | {phase['seconds']:.1f} "
            f"| {phase['queries']:,} | {len(phase['errors'])} |"
        )
    return "\n".join(lines)


def load_note(sizes):
    """Return the machine's load average around each server run."""
    runs = [
        f"{size['size']:,} {mode} {before:.1f} → {after:.1f}"
        for size in sizes
        for mode in modes_of(size)
        for before, after in [size["results"][mode]["_load"]]
    ]
    return (
        "One-minute load average before → after each server run (the load "
        "itself adds about 2-3 on these cores; more means something else was "
        "running): " + "; ".join(runs) + "."
    )


def render(machine, sizes, notes=()):
    """Return docs/performance.md for one run."""
    small, large = sizes[0], sizes[-1]
    m = machine
    out = [
        "# Performance",
        "",
        f"Measured by `make bench` ([benchmarks/](../benchmarks/README.md)) on "
        f"{m['date']}, in one run of {m['elapsed_min']} minutes on one machine. "
        "Generated: run it again rather than editing this file.",
        "",
        "## Targets",
        "",
        "| Target | Measured | Result |",
        "| --- | --- | --- |",
    ]
    for target, figure, met in evaluate(sizes):
        out.append(f"| {target} | {figure} | {'met' if met else '**missed**'} |")
    out += [
        "",
        "## Machine and method",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; {m['memory_gb']} GB RAM; "
        f"{m['os']} (Linux {m['kernel']}).",
        f"- Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']}, "
        f"Redis {m['redis']}, gunicorn {m['gunicorn']} ({m['workers']} sync "
        f"workers), {m['wrk']}.",
        "- Everything on this one machine: wrk, gunicorn, PostgreSQL and Redis "
        "share its cores, over loopback.",
        f"- Each page: `wrk -t{m['threads']} -c{m['connections']} "
        f"-d{m['duration']}s --latency` after a {m['warmup']}-second warm-up. "
        f"The export: `wrk -t1 -c1 -d{m['export_duration']}s --timeout 120s`, "
        "one export at a time.",
        f"- Records are rows of the `/{m['list_kind']}/` list, the list that is "
        "listed, filtered, searched, opened and exported. Each size is a fresh "
        "PostgreSQL database: `migrate`, `load_seeds`, then `generate_demo "
        f"--size 2N --seed {m['seed']}` (half of its people are experts), then "
        "`VACUUM ANALYZE`.",
        "- PostgreSQL because it is the production database "
        "([deploy.md](deploy.md)): its trigram indexes serve the searches, and "
        "its planner is what production pages meet. The SQLite default is for "
        "development and was not measured.",
        "- The server runs with production settings (DEBUG off, whitenoise, "
        "persistent connections with health checks) except the HTTPS redirect, "
        "off because wrk speaks plain HTTP. It is served twice per size: with "
        "the page cache off (`DJANGO_PAGE_CACHE_SECONDS=0`) and on (Redis, each "
        "page warmed first and checked to answer `X-Page-Cache: hit`).",
        "- Queries per request are counted with Django's test client and "
        "`CaptureQueriesContext` against the same database and cache, on a "
        "second request to each address (the steady state wrk measures). The "
        "connection health check (`SELECT 1` on a reused connection) is not "
        'counted: every page, the ceiling included, pays it. "Alone ms" is '
        "that request's time in-process with nothing else running: the work "
        "itself, without the queueing in wrk's latency.",
        "- The ceiling is `/_bench/ceiling/<list>/` (routed only under "
        "`benchmarks.settings`): the list's first 25 rows as JSON, one "
        "query with `values()`, no template. It is never cached. It is "
        'measured between every two pages, and each page\'s "× ceiling" '
        "divides by the mean of the ceiling's runs just before and after it: "
        "the machine's speed drifts during a run, by half in one of them. "
        "The ceiling's own row is the median of its runs.",
        "- The DRF floor is `/_bench/drf-floor/<list>/`: the ceiling's rows "
        "through Django REST framework as the API is configured (its "
        "authentication, permissions, rate limits and renderer), with none of "
        "the API's own work: what the API's stack costs before the API does "
        "anything.",
        "",
    ]
    for size in sizes:
        rows = size["plan"]["rows"]
        out += [
            f"## {size['size']:,} records",
            "",
            "Public rows: "
            + ", ".join(f"{n:,} {kind}" for kind, n in rows.items())
            + f" (generated in {size['generated_s']:.0f} s).",
            "",
            size_table(size),
            "",
            export_line(size),
            "",
        ]
    if len(sizes) > 1:
        out += [
            f"## {large['size']:,} records against {small['size']:,}",
            "",
            "Queries, throughput and median latency at the larger size as a "
            "multiple of the smaller.",
            "",
            ratio_table(small, large),
            "",
        ]
    if all("exports" in size for size in sizes):
        out += [
            "## Downloads",
            "",
            "The list's CSV and JSON downloads in-process, written by the "
            "database as visitors get them and by the reference path "
            "(`write_csv`/`write_json` over model objects, as every download "
            "was written before), one after the other in the same process.",
            "",
            exports_table(sizes),
            "",
        ]
    if "admin" in large:
        out += [f"## Admin at {large['size']:,} records", "", admin_section(large), ""]
    if "import" in large:
        out += ["## Admin import", "", import_section(large), ""]
    out += ["## Notes", ""]
    out += [f"- {note}" for note in (*notes, load_note(sizes), *STANDING_NOTES)]
    return "\n".join(out) + "\n"
