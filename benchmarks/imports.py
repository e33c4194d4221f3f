"""
Time an admin import of experts: the preview, then the confirmed import.

    .venv/bin/python -m benchmarks.imports --database-url URL --rows 20000

It builds a CSV file of experts as staff would upload it: mostly new records
(some published with a source, some drafts), plus existing records exported
and imported back, some with a changed title and fields, some unchanged. Then
it imports that file as the admin does (``importing.RecordImportExportAdmin``):
the file is read by the admin's CSV format, and the resource's ``import_data``
runs once with ``dry_run=True`` (the preview) and once with ``dry_run=False``
(the confirmation), each in its own transaction, as a superuser, with the
admin's keyword arguments (all or nothing, instances kept in the results).

It prints JSON: for each phase the rows per second, the seconds, the queries
made and the rows new, changed, unchanged and in error.

**It writes to the database it is given**: run it against a copy of your own,
never a database others measure on. By default the confirmed import is rolled
back at the end (it runs inside an outer transaction), so the copy can be used
again; ``--commit`` keeps it. The admin refuses files of more than
``DJANGO_IMPORT_MAX_ROWS`` rows (10,000 by default); the benchmark lifts that
limit to the file's size for its own run.
"""

import argparse
import csv
import io
import json
import os
import random
import sys
import time


def setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentzone.settings")
    import django

    django.setup()


def backend_cpu_seconds(connection):
    """Return the CPU seconds the database's process for ``connection`` used.

    PostgreSQL on this machine only (it reads /proc); None otherwise. With the
    machine shared, this and the importing process's own CPU time say what
    the import costs, whatever else is running.
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, the 14th and 15th fields, after the command's name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class QueryCounter:
    """Count the queries a block makes, without keeping their SQL."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def existing_rows(resource, count, seed):
    """Return ``count`` experts on file, as their export rows (dicts)."""
    from programs.models import Expert

    pks = list(Expert.objects.order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(seed).sample(pks, min(count, len(pks)))
    dataset = resource.export(Expert.objects.filter(pk__in=chosen).order_by("pk"))
    return [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def new_rows(count, run_id, seed):
    """Return ``count`` new experts, named by slug like the admin's users do."""
    from programs.models import District, Organization, ResearchField, Source

    rng = random.Random(seed)
    organizations = list(Organization.objects.values_list("slug", flat=True)[:2000])
    districts = list(District.objects.values_list("slug", flat=True))
    fields = list(ResearchField.objects.values_list("slug", flat=True))
    sources = list(Source.objects.public().values_list("slug", flat=True))
    rows = []
    for number in range(1, count + 1):
        published = bool(sources) and number % 2 == 0
        rows.append(
            {
                "slug": f"bench-{run_id}-expert-{number:06d}",
                "name_en": f"Bench Expert {number}",
                "name_zh": f"测试专家{number}",
                "title_en": rng.choice(["Professor", "Chief Engineer", ""]),
                "title_zh": rng.choice(["教授", "总工程师", ""]),
                "appointed_by": rng.choice(organizations),
                "appointed_on": f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-15",
                "district": rng.choice([*districts, ""]),
                "status": rng.choice(["appointed", "ended"]),
                "research_fields": ";".join(rng.sample(fields, rng.randint(0, 2))),
                "summary_en": f"Appointed as expert number {number}.",
                "summary_zh": "",
                "sources": rng.choice(sources) if published else "",
                "email": f"expert{number}@example.org" if number % 3 == 0 else "",
                "phone": "+86 21 6975 0000" if number % 5 == 0 else "",
                "publication_status": "published" if published else "draft",
            }
        )
    return rows


def build_file(rows, changed_share, unchanged_share, seed):
    """Return the CSV file's bytes and how many rows of each sort it holds."""
    from programs.models import Expert, ResearchField
    from programs.staff.resources import RESOURCES

    resource = RESOURCES[Expert][0]()
    changed = int(rows * changed_share)
    unchanged = int(rows * unchanged_share)
    existing = existing_rows(resource, changed + unchanged, seed)
    changed, unchanged = existing[:changed], existing[changed:]
    fields = list(ResearchField.objects.values_list("slug", flat=True))
    rng = random.Random(seed + 1)
    for row in changed:
        row["title_en"] = f"{row['title_en']} (updated)"
        row["research_fields"] = ";".join(rng.sample(fields, 2))
    run_id = f"{int(time.time()):x}"
    new = new_rows(rows - len(changed) - len(unchanged), run_id, seed)
    all_rows = new + changed + unchanged
    random.Random(seed + 2).shuffle(all_rows)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=resource.get_export_headers())
    writer.writeheader()
    writer.writerows(all_rows)
    # As the admin's users upload it: UTF-8 with a byte-order mark.
    content = text.getvalue().encode("utf-8-sig")
    return content, {"new": len(new), "changed": len(changed), "same": len(unchanged)}


def run_phase(content, dry_run, user, commit=False):
    """Import ``content`` as the admin does; return what it took."""
    from django.db import connection

    from programs.models import Expert
    from programs.staff.admin.importing import FormulaSafeCSV
    from programs.staff.resources import RESOURCES

    file_format = FormulaSafeCSV(encoding="utf-8-sig")
    started = time.perf_counter()
    dataset = file_format.create_dataset(content.decode("utf-8-sig"))
    read = time.perf_counter() - started
    resource = RESOURCES[Expert][0]()
    counter = QueryCounter()
    kwargs = {"rollback_on_validation_errors": True}
    if not dry_run:
        kwargs["retain_instance_in_row_result"] = True
    database_cpu = backend_cpu_seconds(connection)
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            file_name="bench.csv",
            user=user,
            **kwargs,
        )
        # The foreign keys are checked when the transaction commits; in the
        # outer transaction that is never committed, they are checked here.
        if not dry_run and not commit:
            connection.check_constraints()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if database_cpu is not None:
        database_cpu = backend_cpu_seconds(connection) - database_cpu
    errors = [str(error.error) for error in result.base_errors]
    errors += [
        f"row {number}: {error.error}"
        for number, row_errors in result.row_errors()
        for error in row_errors
    ]
    errors += [f"row {row.number}: {row.error_dict}" for row in result.invalid_rows[:5]]
    return {
        "rows": dataset.height,
        "seconds": round(seconds, 3),
        "rows_per_second": round(dataset.height / seconds, 1),
        # This process's CPU time: with other work on the machine, the part
        # of the wall-clock seconds spent in Python rather than waiting.
        "cpu_seconds": round(cpu, 3),
        "database_cpu_seconds": database_cpu,
        # Rows a second with a processor each for Python and the database, as
        # on a quiet machine: what the CPU time of both allows.
        "rows_per_cpu_second": round(
            dataset.height / (cpu + max(database_cpu or 0, 0)), 1
        ),
        "queries": counter.count,
        "queries_per_row": round(counter.count / dataset.height, 2),
        "read_seconds": round(read, 3),
        "totals": dict(result.totals),
        "errors": errors[:5],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--changed-share", type=float, default=0.1)
    parser.add_argument("--unchanged-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--commit", action="store_true", help="keep what the import wrote"
    )
    args = parser.parse_args(argv)
    setup(args.database_url)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction

    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
    with transaction.atomic():
        user = get_user_model().objects.create_superuser(
            f"bench-importer-{int(time.time() * 1000):x}"
        )
        content, sorts = build_file(
            args.rows, args.changed_share, args.unchanged_share, args.seed
        )
        preview = run_phase(content, True, user)
        confirm = run_phase(content, False, user, args.commit)
        if not args.commit:
            transaction.set_rollback(True)
    report = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "file": {"rows": args.rows, "bytes": len(content), **sorts},
        "preview": preview,
        "confirm": confirm,
        "committed": args.commit,
    }
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
