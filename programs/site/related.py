"""The latest records of several kinds, fetched together for detail pages."""

from dataclasses import dataclass

from django.db.models import CharField, DateField, F, Value
from django.db.models.functions import Cast
from django.urls import reverse

from ..sorting import chinese_page, in_page_order


@dataclass(frozen=True)
class RecordLink:
    """Just enough of a record to list and link it."""

    url_name: str
    slug: str
    name_en: str
    name_zh: str
    date: object
    # Invented by generate_demo: pages label it.
    is_demo: bool = False
    # The pinyin key Chinese pages order names by (programs.sorting).
    name_pinyin: str = ""

    def get_absolute_url(self):
        return reverse(self.url_name, args=[self.slug])


@dataclass
class RecordGroup:
    """The first records of one kind, and whether there are more."""

    key: str
    rows: list
    has_more: bool


def latest_of_each(querysets, limit=10):
    """Return a RecordGroup per queryset: its latest ``limit`` rows, in one query.

    ``querysets`` maps a key (used as "programs:<key>-detail") to a queryset of
    public records. A detail page that lists six kinds of related records this
    way costs one query instead of six, however many records there are.
    """
    if not querysets:
        return []
    parts = [
        _first_rows(key, queryset, limit + 1) for key, queryset in querysets.items()
    ]
    rows_by_key = {key: [] for key in querysets}
    rows = parts[0].union(*parts[1:], all=True)
    for key, slug, name_en, name_zh, date, demo, pinyin in rows:
        rows_by_key[key].append(
            RecordLink(
                f"programs:{key}-detail", slug, name_en, name_zh, date, demo, pinyin
            )
        )
    groups = []
    by_name = _by_pinyin if chinese_page() else _by_english
    for key, rows in rows_by_key.items():
        rows.sort(key=lambda row: (*_latest_first(row), *by_name(row)))
        groups.append(RecordGroup(key, rows[:limit], has_more=len(rows) > limit))
    return groups


def _latest_first(row):
    return (row.date is None, -row.date.toordinal() if row.date else 0)


def _by_english(row):
    return (row.name_en,)


def _by_pinyin(row):
    # As the database orders them: Python compares code points, as SQLite and
    # PostgreSQL's C collation do.
    return (row.name_pinyin, row.name_zh)


def _first_rows(key, queryset, count):
    model = queryset.model
    if model.date_field:
        date = F(model.date_field)
        order = (F(model.date_field).desc(nulls_last=True), "name_en")
    else:
        date = Cast(Value(None), DateField())
        order = ("name_en",)
    first = queryset.order_by(*in_page_order(model, order)).values("pk")[:count]
    # Compound statements may not order their parts, so the LIMIT lives in a
    # subquery and each part is unordered.
    return (
        model.objects.filter(pk__in=first)
        .order_by()
        .annotate(
            group=Value(key, output_field=CharField()),
            ref=F("slug"),
            en=F("name_en"),
            zh=F("name_zh"),
            on=date,
            demo=F("is_demo"),
            pinyin=F("name_pinyin"),
        )
        .values_list("group", "ref", "en", "zh", "on", "demo", "pinyin")
    )
