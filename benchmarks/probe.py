"""
Django's side of the benchmark, run by benchmarks/run.py in a subprocess with
the benchmark server's environment (database, cache, settings):

    python -m benchmarks.probe plan LIST        which URLs to load, as JSON
    python -m benchmarks.probe queries URL...   queries each URL costs, as JSON
    python -m benchmarks.probe after-edit URL...  first request after an edit
                                                 against a warm one, as JSON
    python -m benchmarks.probe exports LIST     the list's download written by
                                                 the database and by the
                                                 reference path, as JSON

Queries are counted through Django's test client with CaptureQueriesContext
against the same database and cache as the server. Each URL is asked for
twice and the second request counted: the steady state wrk measures (with the
page cache on, a hit). Its time is noted too: one request alone, in-process,
with nothing else waiting, to set beside wrk's latency under load.
"""

import json
import os
import sys
import time


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def plan(list_kind):
    """Return the URLs to benchmark and the rows each list holds, as a dict."""
    from django.db.models import Count

    from benchmarks.ceiling import ceiling_lists

    lists = ceiling_lists()
    model = lists[list_kind].model
    public = model.objects.public()
    rows = {
        segment: kind.model.objects.public().count() for segment, kind in lists.items()
    }
    # A record from the middle of the list, so neither end flatters the page.
    slug, name = public.order_by("slug").values_list("slug", "name_en")[
        rows[list_kind] // 2
    ]
    # The district sources announce the most about, then the commonest: the
    # same one at every size (the seeds' report is about one district), so the
    # filtered page shows the same blocks and the sizes compare like for like.
    district = (
        public.exclude(district=None)
        .values_list("district__slug")
        .annotate(
            figures=Count("district__announced_figures", distinct=True),
            n=Count("pk", distinct=True),
        )
        .order_by("-figures", "-n", "district__slug")
        .first()[0]
    )
    status = (
        public.values_list("status")
        .annotate(n=Count("pk"))
        .order_by("-n", "status")
        .first()[0]
    )
    # A word of that record's name: a search a visitor might type, matching
    # some records of several kinds rather than none or all.
    term = max(name.split(), key=len)
    return {
        "list": list_kind,
        "rows": rows,
        "urls": {
            "home": "/",
            "stats": "/stats/",
            "list": f"/{list_kind}/",
            "filtered": f"/{list_kind}/?district={district}&status={status}",
            "search": f"/search/?q={term}",
            "detail": f"/{list_kind}/{slug}/",
            "export": f"/{list_kind}/?format=csv",
            # The same rows as JSON, through the API (never page-cached).
            "api": f"/api/v1/{list_kind}/",
            "ceiling": f"/_bench/ceiling/{list_kind}/",
            # The ceiling's rows through the API's DRF stack (ceiling.py).
            "drf_floor": f"/_bench/drf-floor/{list_kind}/",
        },
    }


def count_queries(urls):
    """Return each URL's status, queries, body size and page-cache header."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for url in urls:
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                body = (
                    b"".join(response.streaming_content)
                    if response.streaming
                    else response.content
                )
                elapsed_ms = (time.perf_counter() - started) * 1000
        counts[url] = {
            "status": response.status_code,
            "queries": len(queries),
            "bytes": len(body),
            "alone_ms": round(elapsed_ms, 1),
            "page_cache": response.get("X-Page-Cache"),
        }
    return counts


def timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return (time.perf_counter() - started) * 1000, response.status_code


def after_edit(urls, rounds=5):
    """Return each URL's warm time and its time on the first request after an edit.

    The edit is what staff do in the admin: one published record saved in
    its own transaction, so the content version changes and whatever is kept
    under it (facet counts, aggregates) is out of date. Medians of ``rounds``.
    """
    from statistics import median

    from django.db import transaction
    from django.test import Client

    from benchmarks.ceiling import ceiling_lists

    model = next(iter(ceiling_lists().values())).model
    record = model.objects.public().order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    times = {}
    for url in urls:
        timed_get(client, url)
        warm, first = [], []
        for _round in range(rounds):
            warm.append(timed_get(client, url)[0])
            with transaction.atomic():
                record.save()
            elapsed_ms, status = timed_get(client, url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status} after an edit")
            first.append(elapsed_ms)
        times[url] = {
            "warm_ms": round(median(warm), 1),
            "first_after_edit_ms": round(median(first), 1),
        }
    return times


def exports(list_kind):
    """Return the rows a second of the list's CSV and JSON downloads, written
    by the database (``Export.written_by_database``, what visitors get) and
    by the reference path (``write_csv``/``write_json`` over ``Export.rows``:
    how every download was written before), in one process, one after the
    other, with whether their bytes are the same.
    """
    import hashlib

    from django.utils import translation

    from benchmarks.ceiling import ceiling_lists
    from programs.site import exports as site_exports

    model = ceiling_lists()[list_kind].model
    export = site_exports.EXPORTS[model]
    queryset = model.objects.public().order_by("slug")
    origin = "http://127.0.0.1"
    columns = export.columns_linking_to(origin)
    reference = {"csv": site_exports.write_csv, "json": site_exports.write_json}
    rows = queryset.count()

    def timed(pieces):
        digest = hashlib.sha256()
        started = time.perf_counter()
        for piece in pieces:
            digest.update(piece)
        return time.perf_counter() - started, digest.hexdigest()

    result = {"rows": rows}
    with translation.override("en"):
        for export_format, write in reference.items():
            fast_s, fast_digest = timed(
                export.written_by_database(queryset, origin, export_format)
            )
            slow_s, slow_digest = timed(write(columns, export.rows(queryset)))
            result[export_format] = {
                "rows_per_second": round(rows / fast_s, 1),
                "reference_rows_per_second": round(rows / slow_s, 1),
                "seconds": round(fast_s, 2),
                "reference_seconds": round(slow_s, 2),
                "identical": fast_digest == slow_digest,
            }
    return result


def main(argv):
    setup()
    command, *args = argv
    if command == "plan":
        result = plan(*args)
    elif command == "queries":
        result = count_queries(args)
    elif command == "after-edit":
        result = after_edit(args)
    elif command == "exports":
        result = exports(*args)
    else:
        raise SystemExit(
            f"unknown command {command!r}: "
            "plan LIST | queries URL... | after-edit URL... | exports LIST"
        )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
