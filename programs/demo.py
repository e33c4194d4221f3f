"""
Invented records for trying the site at scale: ``manage.py generate_demo``.

Every record made here is demo data: ``is_demo=True``, published, a slug that
starts with "demo-", and no sources. Pages label it, exports have a column
for it, and announced figures never count it (see programs.models.figures).
Demo records point at each other and at the districts on file, never the
other way round: no sourced record gains a demo party, expert or project.

How much is made, for ``people`` = N (``Plan``):

    experts                 N // 2
    overseas entrepreneurs  N - N // 2
    organizations           N // 50   (at least 3)
    agreements              N // 200  (at least 1), 2 or 3 parties each
    projects                N // 20   (at least 1)
    workstations            N // 100  (at least 1)
    research fields         12, a fixed set

The same seed, size and districts give the same records: every choice comes
from one ``random.Random(seed)``, drawn in a fixed order.

Records are built by generators and written ``BATCH_SIZE`` at a time with
``bulk_create``, which sets their primary keys (SQLite 3.35+, PostgreSQL), so
many-to-many rows are written from those keys without reading anything back.
Memory is one batch plus the keys of the records people point at
(organizations, agreements, projects, workstations: N / 12 integers).
"""

import datetime
import random
from dataclasses import dataclass, replace
from itertools import islice

from django.db import reset_queries

from .demo_words import (
    AGREEMENT_STATUSES,
    BRANDS,
    COOPERATION_AREAS,
    ENTREPRENEUR_STATUSES,
    EXPERT_STATUSES,
    EXPERT_TITLES,
    FAMILY_NAMES,
    FIELDS,
    FOREIGN_NAMES,
    GIVEN_SYLLABLES,
    INDUSTRIES,
    ORGANIZATION_KINDS,
    PLACES,
    PROJECT_KINDS,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    RETURNEE_COUNTRIES,
    WORKSTATION_STATUSES,
)
from .models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Source,
    Workstation,
)
from .sorting import fill_sort_keys

BATCH_SIZE = 5000
SLUG_PREFIX = "demo-"
FIRST_DAY = datetime.date(2015, 1, 1).toordinal()
LAST_DAY = datetime.date(2025, 12, 31).toordinal()
PUBLISHED = PublicationStatus.PUBLISHED

# Every kind of record that can be demo data, children before what they point
# at, so that --clear never trips over a PROTECT foreign key.
DEMO_MODELS = (
    AnnouncedFigure,
    Entrepreneur,
    Workstation,
    Expert,
    Project,
    Agreement,
    Organization,
    ResearchField,
    District,
    Source,
)

# The plan -------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How many records of each kind ``people`` people come with."""

    people: int

    @property
    def counts(self):
        """Return {model: how many to make}, in the order they are made."""
        n = self.people
        return {
            ResearchField: len(FIELDS),
            Organization: max(3, n // 50),
            Agreement: max(1, n // 200),
            Project: max(1, n // 20),
            Workstation: max(1, n // 100),
            Expert: n // 2,
            Entrepreneur: n - n // 2,
        }


def batches(iterable, size=BATCH_SIZE):
    """Yield lists of up to ``size`` items of ``iterable``."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def demo_districts():
    """Return the public districts of the zone that demo records may be put in."""
    return list(
        District.objects.public()
        .filter(in_demonstration_zone=True, is_demo=False)
        .order_by("slug")
    )


def described(model, count):
    """Return what ``count`` records of ``model`` are called: "1 agreement"."""
    meta = model._meta
    return meta.verbose_name if count == 1 else meta.verbose_name_plural


def existing_demo_records():
    """Return {model: count} of demo records on file, leaving out zeros."""
    counts = {
        model: model.objects.filter(is_demo=True).count() for model in DEMO_MODELS
    }
    return {model: n for model, n in counts.items() if n}


def clear_demo_records(report=lambda message: None):
    """Delete every demo record, children first; return {model: rows deleted}.

    Deleted a batch at a time through the ORM, so that many-to-many rows go
    with their records and a sourced record that points at a demo record
    stops it with ProtectedError instead of losing its link.
    """
    deleted = {}
    for model in DEMO_MODELS:
        demo = model.objects.filter(is_demo=True).order_by("pk")
        total = 0
        while pks := list(demo.values_list("pk", flat=True)[:BATCH_SIZE]):
            _count, per_model = model.objects.filter(pk__in=pks).delete()
            total += per_model.get(model._meta.label, 0)
        if total:
            deleted[model] = total
            report(f"Deleted {total:,} demo {described(model, total)}.")
    return deleted


# Making records ---------------------------------------------------------------


def _short(district):
    """Return a district's name without "District" or "County", in both languages."""
    english = district.name_en
    for suffix in (" District", " County", " City"):
        english = english.removesuffix(suffix)
    chinese = district.name_zh or english
    if len(chinese) > 2 and chinese[-1] in "区县市":
        chinese = chinese[:-1]
    return english, chinese


def _in_prose(country):
    """Return ``country`` as a sentence names it: "the United States"."""
    return f"the {country}" if country.startswith("United ") else country


@dataclass(frozen=True)
class Parent:
    """What people and projects need to know of a demo organization."""

    pk: int
    district_id: int
    place: tuple
    industry: tuple
    brand: tuple
    name: tuple


class RowBuffer:
    """Many-to-many rows of one through model, written a batch at a time."""

    def __init__(self, model):
        self.model = model
        self.rows = []
        self.written = 0

    def add(self, **fields):
        self.rows.append(self.model(**fields))
        if len(self.rows) >= BATCH_SIZE:
            self.flush()

    def flush(self):
        self.model.objects.bulk_create(self.rows)
        self.written += len(self.rows)
        self.rows = []
        _forget_queries()


def _forget_queries():
    # With DEBUG on (as `make run` has it) Django keeps the SQL of the last
    # 9,000 queries, and a batch insert's SQL holds thousands of rows: memory
    # would grow with N. The log is of no use here.
    reset_queries()


class DemoGenerator:
    """Make the records of a ``Plan`` in ``districts``, from one seeded random.

    ``report`` is called with a line of progress after each batch.
    """

    def __init__(self, districts, seed, report=lambda message: None):
        if not districts:
            raise ValueError("Demo records need at least one district.")
        self.random = random.Random(seed)
        self.districts = [
            (district.pk, PLACES.get(district.slug) or (_short(district),))
            for district in districts
        ]
        self.report = report
        self.created = {}
        # The keys of what people point at, in the order made.
        self.field_ids = []
        self.organizations = []
        self.agreement_ids = []
        self.talent_project_ids = []
        self.workstation_ids = []

    def run(self, plan):
        """Make every record of ``plan``; return {model or label: how many made}."""
        counts = plan.counts
        self._fields(counts[ResearchField])
        self._organizations(counts[Organization])
        self._agreements(counts[Agreement])
        self._projects(counts[Project])
        self._workstations(counts[Workstation])
        self._experts(counts[Expert])
        self._entrepreneurs(counts[Entrepreneur])
        return self.created

    # Helpers ----------------------------------------------------------------

    def _save(self, model, pairs, total):
        """Write (record, extra) pairs a batch at a time; yield them, saved.

        The extra is whatever the caller needs, beside the saved record's
        pk, to write its many-to-many rows.
        """
        done = 0
        for batch in batches(pairs):
            records = [record for record, _extra in batch]
            # bulk_create sends no pre_save: the sort keys are set here.
            for record in records:
                fill_sort_keys(record)
            model.objects.bulk_create(records)
            _forget_queries()
            yield from batch
            done += len(batch)
            self.report(f"{model._meta.verbose_name_plural}: {done:,} of {total:,}")
        self.created[model] = done

    def _through(self, buffer):
        buffer.flush()
        self.created[buffer.model] = buffer.written

    def _pick(self, weighted):
        """Return the value of one of ``weighted``'s (weight, value, ...) rows."""
        weights = [row[0] for row in weighted]
        row = self.random.choices(weighted, weights)[0]
        return row[1] if len(row) == 2 else row[1:]

    def _date(self):
        return datetime.date.fromordinal(self.random.randint(FIRST_DAY, LAST_DAY))

    def _chinese_name(self):
        family_en, family_zh = self.random.choice(FAMILY_NAMES)
        given = self.random.choices(GIVEN_SYLLABLES, k=self.random.choice((1, 2, 2)))
        given_en = "".join(en for en, _zh in given).capitalize()
        return f"{family_en} {given_en}", family_zh + "".join(zh for _en, zh in given)

    def _foreign_name(self):
        country = self.random.choice(list(FOREIGN_NAMES))
        given_names, family_names = FOREIGN_NAMES[country]
        given_en, given_zh = self.random.choice(given_names)
        family_en, family_zh = self.random.choice(family_names)
        return (f"{given_en} {family_en}", f"{given_zh}·{family_zh}"), country

    @staticmethod
    def _record(slug_stem, number, name, **fields):
        return {
            "slug": f"{SLUG_PREFIX}{slug_stem}-{number:06d}",
            "publication_status": PUBLISHED,
            "is_demo": True,
            "name_en": name[0],
            "name_zh": name[1],
            **fields,
        }

    # Each kind, in the order made -------------------------------------------

    def _fields(self, count):
        pairs = (
            (
                ResearchField(
                    slug=f"{SLUG_PREFIX}field-{slug}",
                    publication_status=PUBLISHED,
                    is_demo=True,
                    name_en=name_en,
                    name_zh=name_zh,
                ),
                None,
            )
            for slug, name_en, name_zh in FIELDS[:count]
        )
        self.field_ids = [
            field.pk for field, _ in self._save(ResearchField, pairs, count)
        ]

    def _organizations(self, count):
        kinds = [(row[0], kind) for kind, row in ORGANIZATION_KINDS.items()]

        def make():
            for number in range(1, count + 1):
                district_id, places = self.random.choice(self.districts)
                place = self.random.choice(places)
                industry = self.random.choice(INDUSTRIES)
                brand = self.random.choice(BRANDS)
                kind = self._pick(kinds)
                _weight, name_en, name_zh, what_en, what_zh = ORGANIZATION_KINDS[kind]
                name = (
                    name_en.format(
                        place=place[0], industry=industry[0], brand=brand[0]
                    ),
                    name_zh.format(
                        place=place[1], industry=industry[1], brand=brand[1]
                    ),
                )
                record = Organization(
                    **self._record(
                        "organization",
                        number,
                        name,
                        kind=kind,
                        district_id=district_id,
                        summary_en=f"{what_en.capitalize()} in {place[0]} working in "
                        f"{industry[0].lower()}.",
                        summary_zh=f"位于{place[1]}的{what_zh}，从事{industry[1]}。",
                    )
                )
                yield record, Parent(0, district_id, place, industry, brand, name)

        for record, parent in self._save(Organization, make(), count):
            self.organizations.append(replace(parent, pk=record.pk))

    def _agreements(self, count):
        parties = RowBuffer(AgreementParty)
        roles = (AgreementParty.Role.SIGNATORY, AgreementParty.Role.SIGNATORY)

        def make():
            for number in range(1, count + 1):
                how_many = self.random.choice((2, 2, 3))
                chosen = self.random.sample(self.organizations, how_many)
                first, second = chosen[0].name, chosen[1].name
                _slug, field_en, field_zh = self.random.choice(FIELDS)
                areas = self.random.sample(COOPERATION_AREAS, 2)
                name = (
                    f"Cooperation agreement between {first[0]} and {second[0]}",
                    f"{first[1]}与{second[1]}合作协议",
                )
                record = Agreement(
                    **self._record(
                        "agreement",
                        number,
                        name,
                        signed_on=self._date(),
                        status=self._pick(AGREEMENT_STATUSES),
                        district_id=chosen[0].district_id,
                        cooperation_areas_en="\n".join(
                            [field_en, *(en for en, _zh in areas)]
                        ),
                        cooperation_areas_zh="\n".join(
                            [field_zh, *(zh for _en, zh in areas)]
                        ),
                        summary_en=f"The parties agree to work together on "
                        f"{field_en.lower()}: {areas[0][0].lower()} and "
                        f"{areas[1][0].lower()}.",
                        summary_zh=f"双方约定在{field_zh}领域开展{areas[0][1]}、"
                        f"{areas[1][1]}等合作。",
                    )
                )
                yield record, chosen

        for record, chosen in self._save(Agreement, make(), count):
            self.agreement_ids.append(record.pk)
            for party, role in zip(
                chosen, (*roles, AgreementParty.Role.WITNESS), strict=False
            ):
                parties.add(agreement_id=record.pk, organization_id=party.pk, role=role)
        self._through(parties)

    def _projects(self, count):
        talent = Project.Kind.OVERSEAS_TALENT

        def make():
            for number in range(1, count + 1):
                lead = self.random.choice(self.organizations)
                kind = self._pick(PROJECT_KINDS)
                what_en, what_zh = self.random.choice(PROJECT_TYPES)
                name = (
                    f"{lead.place[0]} {lead.industry[0]} {what_en}",
                    f"{lead.place[1]}{lead.industry[1]}{what_zh}",
                )
                if self.random.random() < 0.2:
                    name = (f"{name[0]}, phase II", f"{name[1]}（二期）")
                agreement_id = None
                if kind == Project.Kind.KEY_PROJECT and self.random.random() < 0.7:
                    agreement_id = self.random.choice(self.agreement_ids)
                record = Project(
                    **self._record(
                        "project",
                        number,
                        name,
                        kind=kind,
                        status=self._pick(PROJECT_STATUSES),
                        announced_on=self._date(),
                        lead_organization_id=lead.pk,
                        district_id=lead.district_id,
                        agreement_id=agreement_id,
                        field_id=self.random.choice(self.field_ids),
                        summary_en=f"Led by {lead.name[0].removesuffix('.')}.",
                        summary_zh=f"由{lead.name[1]}牵头。",
                    )
                )
                yield record, None

        for record, _none in self._save(Project, make(), count):
            if record.kind == talent:
                self.talent_project_ids.append(record.pk)

    def _workstations(self, count):
        def make():
            for number in range(1, count + 1):
                host = self.random.choice(self.organizations)
                field = self.random.randrange(len(self.field_ids))
                name = (
                    f"Academician workstation at {host.name[0]}",
                    f"{host.name[1]}院士工作站",
                )
                record = Workstation(
                    **self._record(
                        "workstation",
                        number,
                        name,
                        host_organization_id=host.pk,
                        district_id=host.district_id,
                        field_id=self.field_ids[field],
                        established_on=self._date(),
                        status=self._pick(WORKSTATION_STATUSES),
                        summary_en=f"Brings academicians to work with "
                        f"{host.name[0]} on {FIELDS[field][1].lower()}.",
                        summary_zh=f"引进院士与{host.name[1]}合作开展"
                        f"{FIELDS[field][2]}研究。",
                    )
                )
                yield record, None

        self.workstation_ids = [
            record.pk for record, _none in self._save(Workstation, make(), count)
        ]

    def _experts(self, count):
        expert_fields = RowBuffer(Expert.research_fields.through)
        residents = RowBuffer(Workstation.experts.through)

        def make():
            for number in range(1, count + 1):
                by = self.random.choice(self.organizations)
                title = self._pick(EXPERT_TITLES)
                fields = self.random.sample(
                    range(len(self.field_ids)), self.random.choice((1, 1, 2))
                )
                field_en, field_zh = FIELDS[fields[0]][1:]
                district_id = by.district_id
                if self.random.random() < 0.2:
                    district_id = self.random.choice(self.districts)[0]
                workstation_id = None
                if self.random.random() < 0.1:
                    workstation_id = self.random.choice(self.workstation_ids)
                record = Expert(
                    **self._record(
                        "expert",
                        number,
                        self._chinese_name(),
                        title_en=title[0],
                        title_zh=title[1],
                        appointed_by_id=by.pk,
                        appointed_on=self._date(),
                        district_id=district_id,
                        status=self._pick(EXPERT_STATUSES),
                        summary_en=f"Appointed by {by.name[0]} as an expert in "
                        f"{field_en.lower()}.",
                        summary_zh=f"受{by.name[1]}聘请，研究方向为{field_zh}。",
                    )
                )
                yield record, (fields, workstation_id)

        for record, (fields, workstation_id) in self._save(Expert, make(), count):
            for field in fields:
                expert_fields.add(
                    expert_id=record.pk, researchfield_id=self.field_ids[field]
                )
            if workstation_id is not None:
                residents.add(workstation_id=workstation_id, expert_id=record.pk)
        self._through(expert_fields)
        self._through(residents)

    def _entrepreneurs(self, count):
        def make():
            for number in range(1, count + 1):
                if self.random.random() < 0.6:
                    name = self._chinese_name()
                    country = self._pick(RETURNEE_COUNTRIES)
                    came = ("Returned from", "从{}学成归国")
                else:
                    name, country = self._foreign_name()
                    came = ("Came from", "从{}来到示范区")
                host = self.random.choice(self.organizations)
                brand = self.random.choice(BRANDS)
                industry = self.random.choice(INDUSTRIES)
                venture = (f"{brand[0]} {industry[0]}", f"{brand[1]}{industry[1]}")
                project_id = None
                if self.talent_project_ids and self.random.random() < 0.3:
                    project_id = self.random.choice(self.talent_project_ids)
                record = Entrepreneur(
                    **self._record(
                        "entrepreneur",
                        number,
                        name,
                        country_or_region_en=country[0],
                        country_or_region_zh=country[1],
                        venture_en=venture[0],
                        venture_zh=venture[1],
                        host_organization_id=host.pk,
                        district_id=host.district_id,
                        field_id=self.random.choice(self.field_ids),
                        signed_on=self._date(),
                        status=self._pick(ENTREPRENEUR_STATUSES),
                        project_id=project_id,
                        summary_en=f"{came[0]} {_in_prose(country[0])} to found "
                        f"{venture[0]}, hosted by {host.name[0].removesuffix('.')}.",
                        summary_zh=f"{came[1].format(country[1])}，创办{venture[1]}，"
                        f"落户{host.name[1]}。",
                    )
                )
                yield record, None

        for _saved in self._save(Entrepreneur, make(), count):
            pass
