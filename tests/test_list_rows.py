"""The lean list page: rows written in Python (programs/site/list_rows.py) and
the parts kept under the content version (programs/site/list_parts.py)."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.template import engines
from django.urls import reverse
from django.utils import translation

from programs.kinds import KINDS
from programs.models import (
    ContentVersion,
    District,
    Expert,
    PublicationStatus,
    Source,
)
from programs.site import facets, list_parts, list_rows, local_copies
from programs.site.related import RecordLink
from programs.templatetags.programs import record_url

from . import factories as f
from .budgets import CACHE_CHECK
from .test_views import three_of_each

pytestmark = pytest.mark.django_db

# The rows as the list templates wrote them with the template tags, before
# list_rows.py: the reference its HTML must equal byte for byte.
REFERENCE_ROWS = {
    Expert: """{% load i18n programs %}{% for expert in object_list %}<tr>
  <th scope="row" data-label="{% translate 'Name' %}">{% record_name expert link=True %}</th>
  <td data-label="{% translate 'Title' %}">{% localized expert "title" %}</td>
  <td data-label="{% translate 'Appointed by' %}">{% record_link expert.appointed_by %}</td>
  <td data-label="{% translate 'Appointed on' %}">{% show_date expert.appointed_on %}</td>
  <td data-label="{% translate 'Serves in' %}">{% record_link expert.district %}</td>
  <td data-label="{% translate 'Status' %}">{{ expert.get_status_display }}</td>
</tr>{% endfor %}""",  # noqa: E501
    District: """{% load i18n programs %}{% for district in object_list %}<tr>
  <th scope="row" data-label="{% translate 'Name' %}">{% record_name district link=True %}</th>
  <td data-label="{% translate 'City' %}">{% localized district "city" %}</td>
  <td data-label="{% translate 'Province' %}">{% localized district "province" %}</td>
  <td data-label="{% translate 'In the demonstration zone' %}">{{ district.in_demonstration_zone|yesno:_("Yes,No") }}</td>
</tr>{% endfor %}""",  # noqa: E501
    Source: """{% load i18n programs %}{% for source in object_list %}<tr>
  <th scope="row" data-label="{% translate 'Title' %}"><a href="{{ source.get_absolute_url }}">{% localized source "title" %}</a></th>
  <td data-label="{% translate 'Outlet' %}">{{ source.outlet|default:_("not stated") }}</td>
  <td data-label="{% translate 'Published on' %}">{% show_date source.published_on %}</td>
</tr>{% endfor %}""",  # noqa: E501
}
COLUMNS = {
    Expert: list_rows.EXPERT,
    District: list_rows.DISTRICT,
    Source: list_rows.SOURCE,
}


def awkward_records():
    """Records whose cells take every branch: a fallback language, a demo
    badge, a draft relation, no date, markup in a name, an empty outlet."""
    draft = f.make_organization(publication_status=PublicationStatus.DRAFT)
    district = f.make_district(name_en='A <b>&"district"', name_zh="", city_en="")
    f.make_district(name_en="", name_zh="只有中文", in_demonstration_zone=False)
    f.make_expert(name_en="Only English", name_zh="", title_zh="教授", is_demo=True)
    f.make_expert(
        name_en="O'Brien <i>", appointed_by=draft, district=district, status="ended"
    )
    f.make_expert(appointed_on=None, title_en="Professor")
    f.make_source(title_en="", title_zh="来源", outlet="")
    f.make_source(title_en="Report & <notes>", outlet="Daily <News>")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("model", list(REFERENCE_ROWS), ids=lambda m: m.__name__)
def test_rows_are_the_template_tags_html_byte_for_byte(model, language):
    """Each row, cell and label, read as tuples, is what the list's template
    tags wrote of model objects."""
    awkward_records()
    records = list(model.objects.order_by("pk"))
    columns = COLUMNS[model]
    rows = model.objects.order_by("pk").values_list(*list_rows.fields_of(columns))
    template = engines["django"].from_string(REFERENCE_ROWS[model])
    with translation.override(language):
        expected = template.render({"object_list": records})
        records = list_rows.read_rows(model, rows, columns)
        assert list_rows.render_rows(model, records, columns) == expected


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_record_url_is_the_absolute_url(language):
    """One reverse() per kind gives the same address as each record's own."""
    records = [f.make_of_kind(kind) for kind in KINDS]
    link = RecordLink("programs:expert-detail", "some-expert", "E", "专家", None)
    with translation.override(language):
        for record in [*records, link]:
            assert record_url(record) == record.get_absolute_url()


def test_a_list_with_its_parts_kept_costs_its_rows(client, django_assert_num_queries):
    """Page 2 of the same filters reads the count, the district choices, the
    facets, the form and the figures from the cache: one query for the rows."""
    district = f.make_district(slug="qingpu")
    for _ in range(30):
        f.make_expert(district=district)
    f.make_figure(subject="experts", source=f.make_source())
    url = reverse("programs:expert-list")
    first = client.get(url, {"district": "qingpu"}).text
    with django_assert_num_queries(CACHE_CHECK + 1):
        second = client.get(url, {"district": "qingpu", "page": "2"}).text
    for html in (first, second):
        for part in ('<form class="filters"', "30 matches", 'class="announced"'):
            assert part in html


def test_the_kept_parts_are_made_again_after_an_edit(client, settings):
    """An edit is a new content version: the count and the facet counts are
    made anew, never served stale."""
    settings.PAGE_CACHE_SECONDS = 0
    district = f.make_district(slug="qingpu", name_en="Qingpu")
    f.make_expert(district=district)
    url = reverse("programs:expert-list")
    html = client.get(url).text
    assert "1 match<" in html and "Qingpu (1)" in html
    f.make_expert(district=district)
    html = client.get(url).text
    assert "2 matches" in html and "Qingpu (2)" in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_edit_makes_every_unfiltered_lists_parts_when_it_commits(
    client, settings, django_assert_num_queries, language
):
    """The first visitor of a list after an edit costs one query, its rows
    with the version, as a warm one does (aggregates.refresh), and gets the
    page the list would have made itself, byte for byte."""
    settings.PAGE_CACHE_SECONDS = 0
    with transaction.atomic():
        three_of_each()
        f.make_figure(subject="experts", source=f.make_source())
    with translation.override(language):
        urls = [reverse(kind.list_url_name) for kind in KINDS]
    kept = {}
    for url in urls:
        with django_assert_num_queries(1):
            kept[url] = client.get(url).text
    cache.clear()
    for url in urls:
        assert client.get(url).text == kept[url], url


def test_a_list_without_a_content_version_makes_one(client, settings):
    """With the version's row gone (a flushed database), the rows carry no
    version: the list makes one and keeps its parts under it."""
    settings.PAGE_CACHE_SECONDS = 0
    f.make_expert(name_en="Shen Wei")
    ContentVersion.objects.all().delete()
    html = client.get(reverse("programs:expert-list")).text
    assert "Shen Wei" in html and "1 match<" in html
    assert ContentVersion.objects.exists()


def test_the_same_filters_share_parts_whatever_the_page():
    """The key leaves out the page number, and nothing else of the query; the
    language is part of it (the form and the figures are translated)."""
    query = {"district": "qingpu", "sort": "-name_en"}

    def key(**extra):
        query_dict = QueryDict(mutable=True)
        query_dict.update({**query, **extra})
        return list_parts.parts_key(1, Expert, query_dict)

    assert key(page="3") == key()
    assert key(sort="name_en") != key()
    assert key(status="ended") != key()
    english = key()
    with translation.override("zh-hans"):
        assert key() != english


def test_a_failing_cache_still_makes_the_page(client, settings, monkeypatch, caplog):
    """With the cache server failing the parts are made without it, and the
    next requests leave it alone for a while."""
    settings.PAGE_CACHE_SECONDS = 0
    f.make_expert(district=f.make_district(slug="qingpu", name_en="Qingpu"))
    hanging = mock.Mock()
    hanging.get_many.side_effect = ConnectionError("no answer in time")
    monkeypatch.setattr(local_copies, "cache", hanging)
    monkeypatch.setattr(facets.CacheRest, "until", 0.0)
    html = client.get(reverse("programs:expert-list")).text
    assert "1 match<" in html and "Qingpu (1)" in html
    assert facets.CacheRest.is_on()
    client.get(reverse("programs:expert-list"))
    assert hanging.get_many.call_count == 1


def test_rows_escape_what_records_hold(client):
    """A name holding markup is shown as text on the list, never as markup."""
    f.make_expert(name_en="<script>alert(1)</script>")
    html = client.get(reverse("programs:expert-list")).text
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert "<script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_rows_read_no_column_they_did_not_load(
    client, settings, django_assert_num_queries, kind
):
    """A page's rows load only their cells' fields (``Column.fields``): with the
    parts kept, a list costs one query, its rows with the content version,
    however many related records its rows link to; a field a cell forgot
    would cost a query per row."""
    settings.PAGE_CACHE_SECONDS = 0
    three_of_each()
    url = reverse(kind.list_url_name)
    client.get(url)
    with django_assert_num_queries(1):
        response = client.get(url)
    assert "<tr>\n" in response.text


# The column header as the list templates included it before the sort_header
# tag: the reference its HTML must equal byte for byte.
REFERENCE_SORT_HEADER = """{% load i18n %}{% with current=request.GET.sort descending="-"|add:field %}<th scope="col"{% if current == field %} aria-sort="ascending"{% elif current == descending %} aria-sort="descending"{% endif %}>
  <a href="{% if current == field %}{% querystring sort=descending page=None %}{% else %}{% querystring sort=field page=None %}{% endif %}">{{ label }}{% if current == field %} <span aria-hidden="true">▲</span>{% elif current == descending %} <span aria-hidden="true">▼</span>{% endif %}</a>
</th>{% endwith %}
"""  # noqa: E501


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=name_en",
        "sort=-name_en",
        "sort=appointed_on&page=3",
        "q=a+%26+b&district=qingpu&district=wujiang&sort=-name_en&page=2",
        "sort=name_en&sort=-name_en",
    ],
)
def test_sort_header_is_the_included_templates_html(rf, query):
    """The tag writes what includes/sort_header.html wrote, whatever the filters."""
    request = rf.get("/experts/?" + query)
    reference = engines["django"].from_string(REFERENCE_SORT_HEADER)
    tag = engines["django"].from_string(
        '{% load programs %}{% sort_header "name_en" label %}'
    )
    context = {"label": "Name <&>", "field": "name_en"}
    assert tag.render(context, request) == reference.render(context, request)


def test_a_list_with_no_filter_and_its_parts_kept_makes_no_filterset(client, settings):
    """Page after page of an unfiltered list skips the FilterSet; a sort or a
    filter, or parts not yet made, goes through it."""
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(30):
        f.make_expert()
    url = reverse("programs:expert-list")
    cache.clear()
    assert client.get(url).context["filter"] is not None  # makes the parts
    assert client.get(url).context["filter"] is None
    assert client.get(url, {"page": "2"}).context["filter"] is None
    assert client.get(url, {"sort": "-name_en"}).context["filter"] is not None


@pytest.mark.parametrize("language", ["", "zh-hans/"])
def test_an_unfiltered_page_read_by_compiled_sql_is_the_same_page(
    client, settings, monkeypatch, compiles, language
):
    """The first pages of an unfiltered list, read by SQL compiled once per
    process and order, are byte for byte what the FilterSet's queryset reads,
    the last page and an empty list's page included; the SQL is compiled
    once for every page."""
    from programs.site import records

    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(records.PublicListView, "paginate_by", 4)
    for n in range(10):
        f.make_expert(name_en=f"Expert {n % 3}", name_zh=f"专家{(7 * n) % 10}")
    records.first_rows.cache_clear()
    # (list, page, its rows): the last page holds two, the empty list none.
    pages = [("experts", 1, 4), ("experts", 2, 4), ("experts", 3, 2)]
    for path, page, rows in [*pages, ("entrepreneurs", 1, 0)]:
        cache.clear()
        url = f"/{language}{path}/"
        through_the_filterset = client.get(url, {"page": page})
        compiled = client.get(url, {"page": page})

        assert through_the_filterset.context["filter"] is not None
        assert compiled.context["filter"] is None
        assert compiled.content == through_the_filterset.content
        assert len(compiled.context["object_list"]) == rows
    # Once for the experts, whatever the page; the empty list read nothing.
    assert len(compiles) == 1


FILTERED_QUERIES = [
    "district=qingpu&status=appointed",
    "status=appointed&sort=-name_en",
    "district=qingpu&sort=appointed_on&page=2",
    "q=Expert 1",
    "q=专家",
    "organization=maker&district=qingpu",
    "district=qingpu&q=nobody",  # no match: an empty page
]


def test_a_filtered_page_read_by_compiled_sql_is_the_same_page(
    client, settings, monkeypatch, compiles
):
    """A filtered list's later requests, its parts kept, skip the FilterSet
    and read their rows by the SQL the first compiled: byte for byte the same
    page, whatever the filters, search, sort, page and language, each query
    string compiled once in each language and none answering another."""
    from programs.site import records

    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(records.PublicListView, "paginate_by", 3)
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu", name_zh="青浦区")
    maker = f.make_organization(slug="maker", name_en="Maker")
    for n in range(10):
        f.make_expert(
            name_en=f"Expert {n % 4}",
            name_zh=f"专家{(7 * n) % 10}",
            appointed_on=datetime.date(2020 + n % 3, 1, 1),
            appointed_by=maker if n % 3 else f.make_organization(),
            district=qingpu if n % 2 else None,
            status="appointed" if n % 4 else "ended",
        )
    cache.clear()
    urls = [
        f"/{language}experts/?{query}"
        for language in ("", "zh-hans/")
        for query in FILTERED_QUERIES
    ]
    through_the_filterset = {url: client.get(url) for url in urls}
    for url in urls:
        compiled = client.get(url)

        assert through_the_filterset[url].context["filter"] is not None
        assert compiled.context["filter"] is None, url
        assert compiled.content == through_the_filterset[url].content, url
    matched = client.get(f"/experts/?{FILTERED_QUERIES[0]}")
    assert len(matched.context["object_list"]) == 3
    # Each once per language, but the empty one, which read nothing.
    assert len(compiles) == 2 * (len(FILTERED_QUERIES) - 1)


def test_compiled_filtered_rows_are_kept_per_query_string_and_language(
    client, settings
):
    """Rows compiled for one filter or language never answer another: each
    page shows its own records, in its own order."""
    settings.PAGE_CACHE_SECONDS = 0
    older = f.make_expert(name_en="Alpha", name_zh="赵", status="appointed")
    newer = f.make_expert(name_en="Beta", name_zh="艾", status="ended")
    expected = {
        "/experts/?status=appointed": [older.slug],
        "/experts/?status=ended": [newer.slug],
        "/experts/?q=a&sort=name_en": [older.slug, newer.slug],
        # By pinyin on Chinese pages: 艾 (ài) before 赵 (zhào).
        "/zh-hans/experts/?q=a&sort=name_en": [newer.slug, older.slug],
    }
    for url in expected:
        client.get(url)  # compiles its rows and keeps its parts
    for url, slugs in expected.items():
        response = client.get(url)
        assert response.context["filter"] is None
        assert [record.slug for record in response.context["object_list"]] == slugs


def test_a_filter_made_invalid_by_an_edit_stops_using_its_compiled_rows(
    client, settings
):
    """A district unpublished after its filter's rows were compiled: its
    slug is no longer a choice, and the list says so instead of listing it."""
    settings.PAGE_CACHE_SECONDS = 0
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu")
    f.make_expert(district=qingpu)
    url = "/experts/?district=qingpu"
    client.get(url)
    assert len(client.get(url).context["object_list"]) == 1  # compiled
    qingpu.publication_status = PublicationStatus.DRAFT
    qingpu.save()

    for _ in range(2):
        response = client.get(url)
        assert response.context["filter"] is not None
        assert response.context["form_errors"]
        assert response.context["object_list"] == []


def test_a_filtered_list_with_form_errors_or_a_late_page_uses_its_filterset(
    client, settings, monkeypatch
):
    """Rows are compiled only for a valid form and the pages read in one
    query: an invalid year, and a page past KEYS_FIRST_PAST, go through the
    FilterSet every time, and show what they should."""
    from programs import paging
    from programs.site import records

    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(records.PublicListView, "paginate_by", 2)
    monkeypatch.setattr(paging, "KEYS_FIRST_PAST", 2)
    made = [f.make_expert(name_en=f"Expert {n}", status="appointed") for n in range(5)]
    for _ in range(2):
        invalid = client.get("/experts/?status=appointed&year=abc")
        assert invalid.context["filter"] is not None
        assert invalid.context["object_list"] == []
    client.get("/experts/?status=appointed")  # keeps the parts
    first = client.get("/experts/?status=appointed")
    later = client.get("/experts/?status=appointed&page=3")

    assert first.context["filter"] is None
    assert later.context["filter"] is not None
    assert [record.slug for record in later.context["object_list"]] == [made[4].slug]


def test_filters_no_row_can_match_are_read_as_nothing_and_not_kept():
    """A query Django finds empty while compiling (an IN of nothing) reads no
    row and keeps nothing to compile again."""
    from programs.site import filtered_rows, records

    query = QueryDict("status=nothing")
    rows = Expert.objects.filter(pk__in=[]).values_list("slug")
    found = filtered_rows.read_and_keep(
        records.ExpertListView, query, rows, 0, 25, "default"
    )
    assert found == []
    assert filtered_rows.find(records.ExpertListView, query) is None


@pytest.mark.parametrize("page_size", [1, 3, 25, 30, 999, 1000, 1001])
def test_the_last_page_read_in_one_query_is_the_last_not_read_by_keys(page_size):
    """last_page_read_in_one agrees with reads_keys_first at every page size."""
    from django.core.paginator import Paginator

    from programs import paging

    pages = Paginator(range(5000), page_size)
    last = paging.last_page_read_in_one(page_size)
    assert not paging.reads_keys_first(pages.page(last))
    assert paging.reads_keys_first(pages.page(last + 1))


@pytest.mark.parametrize(
    "query",
    [
        "page=2",
        "page=3&sort=-appointed_on",
        "page=2&sort=-name_en",
        "page=2&district=qingpu&status=appointed",
        "page=2&q=Expert",
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_later_page_read_by_its_keys_shows_the_same_rows(
    client, monkeypatch, query, language
):
    """Past KEYS_FIRST_PAST rows a page reads its keys, then its rows by them:
    the same page, byte for byte, as read in one step, whatever the filters,
    order and language."""
    from programs import paging
    from programs.site import records

    monkeypatch.setattr(records.PublicListView, "paginate_by", 3)
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu", name_zh="青浦区")
    for n in range(12):
        f.make_expert(
            name_en=f"Expert {n % 5}",
            name_zh=f"专家{(7 * n) % 12}",
            district=qingpu if n % 2 else None,
            status="appointed" if n % 3 else "former",
        )
    url = f"/{'zh-hans/' if language != 'en' else ''}experts/?{query}"
    monkeypatch.setattr(paging, "KEYS_FIRST_PAST", 10**9)
    cache.clear()
    in_one_step = client.get(url)
    monkeypatch.setattr(paging, "KEYS_FIRST_PAST", 0)
    cache.clear()
    by_keys = client.get(url)

    assert in_one_step.status_code == by_keys.status_code == 200
    assert by_keys.content == in_one_step.content
    assert by_keys.content.count(b"<tr>") > 1


@pytest.mark.parametrize("language", ["", "zh-hans/"])
def test_paging_through_a_list_shows_each_record_once(client, monkeypatch, language):
    """Records that tie on every sort value keep their places from page to
    page: paging through shows each exactly once, on the site and the API."""
    from programs import paging
    from programs.api.pagination import LinkedPages
    from programs.site import records

    monkeypatch.setattr(records.PublicListView, "paginate_by", 4)
    monkeypatch.setattr(LinkedPages, "page_size", 4)
    monkeypatch.setattr(paging, "KEYS_FIRST_PAST", 4)  # both ways of reading
    made = {f.make_expert(name_en="Same Name", name_zh="同名").slug for _ in range(11)}

    shown, served = [], []
    for page in (1, 2, 3):
        html = client.get(f"/{language}experts/", {"page": page}).text
        shown += re.findall(r'href="/(?:zh-hans/)?experts/([^/"]+)/"', html)
        api = client.get("/api/v1/experts/", {"page": page}).json()
        served += [record["slug"] for record in api["results"]]
    assert sorted(shown) == sorted(served) == sorted(made)
