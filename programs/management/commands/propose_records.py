"""Print what a report proposes, without writing anything.

    python manage.py propose_records report.docx --published-on 2023-06-16 \\
        --url https://www.shine.cn/… --outlet SHINE --format json

``--format json`` prints exactly one JSON object (the contract in
docs/intake.md); ``text`` prints the same for a person. Bad input (an empty,
binary, unreadable or oversized file, an impossible date) exits non-zero
with one clear line.
"""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from programs.staff.intake.documents import IntakeError, read_document
from programs.staff.intake.extract import propose


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--published-on {value!r} is not a date: give YYYY-MM-DD."
        ) from None


class Command(BaseCommand):
    help = "Read a report (.txt, .html or .docx) and print the records it proposes."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the report: .txt, .html or .docx")
        parser.add_argument("--published-on", help="its publication date, YYYY-MM-DD")
        parser.add_argument("--url", default="", help="its link")
        parser.add_argument("--outlet", default="", help="who published it")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, file, published_on, url, outlet, format, **options):
        published_on = _date(published_on) if published_on else None
        if url:
            try:
                URLValidator()(url)
            except ValidationError:
                raise CommandError(f"--url {url!r} is not a link.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            text = read_document(path.name, path.read_bytes())
        except IntakeError as error:
            raise CommandError(str(error)) from None
        proposals = propose(text, published_on=published_on, outlet=outlet, url=url)
        if format == "json":
            self.stdout.write(json.dumps(proposals.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(_as_text(proposals.as_json()))


def _as_text(found):
    lines = [
        f"Source: {found['source']['title']}",
        f"  published {found['source']['published_on'] or 'unknown'}, "
        f"in {found['source']['language']}",
        f"Districts: {', '.join(found['districts']) or 'none'}",
        "Organizations:",
    ]
    for item in found["organizations"]:
        lines.append(f"  {item['name']} -> {item['organization'] or 'new'}")
    lines.append("Agreements:")
    for item in found["agreements"]:
        parties = " / ".join(party["name"] for party in item["parties"])
        lines.append(f"  {item['name']}: {parties}, signed {item['signed_on'] or '?'}")
    lines.append("Figures:")
    for item in found["figures"]:
        what = item["unit"] or item["counts"]
        lines.append(
            f"  {item['qualifier']} {item['value']} {what} "
            f"[{item['subject'] or '-'}] as of {item['as_of'] or '?'}"
        )
    return "\n".join(lines)
