"""
Time the admin: every changelist, its searches, filters, date drill-down and
sort orders, in-process, against the database it is given.

    .venv/bin/python -m benchmarks.admin --database-url URL
    .venv/bin/python -m benchmarks.admin --database-url URL --runs 9 --only expert

For each registered model admin, and for each role (a superuser, and a
district editor scoped to one district), it asks for:

- the changelist as it opens (its default order);
- a search for a word of a record's English name, and for the first two
  characters of its Chinese name (the commonest search staff type);
- every choice of every filter in the sidebar (each one alone);
- a year of the date hierarchy, when the admin has one;
- the list sorted by each sortable column, ascending;
- the list of deleted records, for admins with a history.

The cases are read off the admin as Django renders it (its filter specs,
the headers of its columns), so a filter or a column added later is timed
without a change here. Each URL is asked for once to warm the process up,
then ``--runs`` times; the median is reported. Queries are counted in a
separate request, so that counting costs nothing in the timings.

It prints JSON, one object per case:
``{"admin": "programs.expert", "role": "superuser", "case": "search 'Zhang'",
"url": "...", "ms": 12.3, "queries": 4, "status": 200}``.

It uses Django's test client, logged in with ``force_login``, and
``benchmarks.settings``. **It writes to the database it is given**, once: it
creates the users ``bench-admin`` (a superuser) and ``bench-district-editor``
(a district editor, with a scope over the district of the most records)
when they are missing, and the sessions they log in with. Nothing else.
"""

import argparse
import json
import os
import statistics
import sys
import time
from urllib.parse import urlencode

SUPERUSER = "bench-admin"
DISTRICT_EDITOR = "bench-district-editor"


def setup(database_url):
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    # The test client speaks plain HTTP; production settings would redirect it.
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


def bench_users():
    """Return the superuser and the district editor the benchmark logs in as."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from programs.models import District, Expert, Role, StaffScope

    users = get_user_model()
    superuser = users.objects.filter(username=SUPERUSER).first()
    if superuser is None:
        superuser = users.objects.create_superuser(SUPERUSER, password=None)
    editor = users.objects.filter(username=DISTRICT_EDITOR).first()
    if editor is None:
        editor = users.objects.create_user(DISTRICT_EDITOR, is_staff=True)
        editor.groups.add(Group.objects.get(name=Role.DISTRICT_EDITOR))
    # Written with bulk_create, which sends no signals: a scope is no content,
    # and the site's handlers of content writes have nothing to do with it.
    scope = StaffScope.objects.filter(user=editor).first()
    if scope is None:
        (scope,) = StaffScope.objects.bulk_create([StaffScope(user=editor)])
    if not scope.districts.exists():
        busiest = (
            Expert.objects.exclude(district=None)
            .values_list("district")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        district = (
            busiest[0]
            if busiest
            else District.objects.values_list("pk", flat=True).first()
        )
        if district is not None:
            through = StaffScope.districts.through
            through.objects.bulk_create(
                [through(staffscope_id=scope.pk, district_id=district)]
            )
    return {"superuser": superuser, "district-editor": editor}


def changelist_url(model_admin):
    from django.urls import reverse

    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def sample_record(model_admin):
    """Return a record from the middle of the admin's list, or None."""
    queryset = model_admin.model._default_manager.order_by("pk")
    count = queryset.count()
    return queryset[count // 2] if count else None


def search_terms(model_admin, record):
    """Return the words to search for: English, then two Chinese characters."""
    if record is None or not model_admin.search_fields:
        return []
    terms = []
    first = model_admin.search_fields[0].lstrip("^=@")
    value = str(_follow(record, first) or "")
    words = [word for word in value.replace("-", " ").split() if word.isalpha()]
    if words:
        terms.append(max(words, key=len))
    for field in model_admin.search_fields:
        if field.endswith("_zh"):
            chinese = str(_follow(record, field.lstrip("^=@")) or "")
            if len(chinese) >= 2:
                terms.append(chinese[:2])
            break
    return terms


def _follow(record, path):
    for part in path.split("__"):
        record = getattr(record, part, None)
        if record is None:
            return None
    return record


def cases_of(user, model_admin):
    """Return (case, URL) pairs for ``model_admin``, read off its changelist."""
    from django.contrib.admin.templatetags.admin_list import result_headers

    url = changelist_url(model_admin)
    changelist = model_admin.get_changelist_instance(_request_of(user, url))
    cases = [("changelist", url)]
    record = sample_record(model_admin)
    for term in search_terms(model_admin, record):
        cases.append((f"search {term!r}", f"{url}?{urlencode({'q': term})}"))
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            query = choice["query_string"]
            if query in ("?", "") or choice.get("selected"):
                continue
            cases.append((f"filter {spec.title}: {choice['display']}", url + query))
    hierarchy = model_admin.date_hierarchy
    if hierarchy and record is not None:
        date = getattr(record, hierarchy, None)
        if date is not None:
            query = urlencode({f"{hierarchy}__year": date.year})
            cases.append((f"date hierarchy {date.year}", f"{url}?{query}"))
            query = urlencode(
                {f"{hierarchy}__year": date.year, f"{hierarchy}__month": date.month}
            )
            cases.append((f"date hierarchy {date:%Y-%m}", f"{url}?{query}"))
    for header in result_headers(changelist):
        if header["sortable"] and not header["sorted"]:
            text = str(header["text"])
            cases.append((f"sort by {text}", url + header["url_primary"]))
    if hasattr(model_admin, "deleted_view"):
        cases.append(("deleted records", f"{url}deleted/"))
    return cases


def time_case(client, url, runs):
    """Return the median milliseconds, the queries and the status of ``url``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, content types, the plan cache
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return round(statistics.median(timings), 1), len(queries), response.status_code


def run(runs, only, roles):
    from django.contrib import admin
    from django.db import DatabaseError
    from django.test import Client

    users = bench_users()
    results = []
    for role in roles:
        client = Client()
        client.force_login(users[role])
        for model, model_admin in admin.site._registry.items():
            label = model._meta.label_lower
            if only and not any(name in label for name in only):
                continue
            if not model_admin.has_view_or_change_permission(
                _request_of(users[role], "/")
            ):
                continue
            try:
                cases = cases_of(users[role], model_admin)
            except DatabaseError as error:
                # A table the database lacks (an app it was not migrated for).
                cases = [("changelist", changelist_url(model_admin))]
                print(f"{label}: {error}", file=sys.stderr)
            for case, url in cases:
                try:
                    ms, queries, status = time_case(client, url, runs)
                except DatabaseError as error:
                    ms, queries, status = None, None, f"error: {error}".strip()
                results.append(
                    {
                        "admin": label,
                        "role": role,
                        "case": case,
                        "url": url,
                        "ms": ms,
                        "queries": queries,
                        "status": status,
                    }
                )
                if ms is None:
                    continue
                print(
                    f"{ms:8.1f} ms {queries:3d} q  {role:16} {label:32} {case}",
                    file=sys.stderr,
                    flush=True,
                )
    return results


def _request_of(user, url):
    """Return a GET request for ``url`` by ``user``, as the admin's views see it."""
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = user
    return request


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="time only admins whose app_label.model contains this (repeatable)",
    )
    parser.add_argument(
        "--role",
        choices=["superuser", "district-editor", "both"],
        default="both",
    )
    args = parser.parse_args(argv)
    setup(args.database_url)
    roles = ["superuser", "district-editor"] if args.role == "both" else [args.role]
    results = run(args.runs, args.only, roles)
    json.dump(results, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
