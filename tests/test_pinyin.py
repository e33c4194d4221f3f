"""Chinese pages sort names in pinyin order, from a stored key (programs.sorting)."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.kinds import KINDS
from programs.models import District, Organization, Source
from programs.sorting import (
    fill_stored_sort_keys,
    name_sort_key,
    sort_key_fields,
)

from . import factories as f

pytestmark = pytest.mark.django_db

SEED_FILES = sorted(str(p) for p in (Path(settings.BASE_DIR) / "seeds").glob("*.yaml"))

# Names whose English order is the reverse of their pinyin order: Alpha, Mu,
# Zeta in English; bei (Zeta), mu (Mu, which has no Chinese name), zhang (Alpha)
# in pinyin.
ALPHA = ("alpha-lab", "Alpha Lab", "张江实验室")
MU = ("mu-centre", "Mu Centre", "")
ZETA = ("zeta-institute", "Zeta Institute", "北京研究所")
ENGLISH_ORDER = ["alpha-lab", "mu-centre", "zeta-institute"]
PINYIN_ORDER = ["zeta-institute", "mu-centre", "alpha-lab"]


def record_models():
    """Return every model (historical ones too) that has a sort key."""
    return [
        model
        for model in apps.get_app_config("programs").get_models()
        if sort_key_fields(model)
    ]


def unkeyed(model):
    """Return how many of ``model``'s rows lack a key their names call for."""
    count = 0
    for key, chinese, english in sort_key_fields(model):
        rows = model._base_manager.values_list(key, chinese, english)
        count += sum(1 for row in rows if row[0] != name_sort_key(row[1], row[2]))
    return count


def in_page_order(text, slugs):
    """Return ``slugs`` in the order they are linked from ``text``."""
    return sorted(slugs, key=lambda slug: text.index(f"/{slug}/"))


def make_three_organizations():
    for slug, english, chinese in (ALPHA, MU, ZETA):
        f.make_organization(slug=slug, name_en=english, name_zh=chinese)


# The key -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chinese", "english", "key"),
    [
        ("青浦区", "Qingpu District", "qing pu qu"),
        # No Chinese name: the English one, lowercased.
        ("", "Mu Centre", "mu centre"),
        ("  ", "Mu Centre", "mu centre"),
        # Punctuation parts syllables; apostrophes join; full-width letters
        # and digits read as plain ones.
        ("阿米莉亚·埃文斯", "", "a mi li ya ai wen si"),
        ("Ｇ６０科创走廊", "", "g60 ke chuang zou lang"),
        ("", "O’Brien Lab (Shanghai)", "obrien lab shanghai"),
        # Heteronyms: pypinyin's reading in context (重庆 chong, 银行 hang).
        ("重庆银行", "", "chong qing yin hang"),
        # ü is written v, which sorts after u as lü after lu.
        ("绿色", "", "lv se"),
        ("", "", ""),
    ],
)
def test_the_key_is_toneless_lowercase_pinyin_else_the_english_name(
    chinese, english, key
):
    """The key spells the Chinese name in pinyin, or falls back to the English."""
    assert name_sort_key(chinese, english) == key


def test_keys_sort_the_districts_in_dictionary_order():
    """Jiashan (jia), Qingpu (qing), Wujiang (wu): not 青, 吴, 嘉 by code point."""
    names = ["青浦区", "吴江区", "嘉善县"]
    assert sorted(names) != ["嘉善县", "青浦区", "吴江区"]
    assert sorted(names, key=name_sort_key) == ["嘉善县", "青浦区", "吴江区"]


def test_keys_compare_syllable_by_syllable():
    """西安 (xi an) before 先 (xian), 青浦 before 青浦区: as in a dictionary."""
    assert name_sort_key("西安") < name_sort_key("先")
    assert name_sort_key("青浦") < name_sort_key("青浦区")


def test_a_long_name_gets_a_key_that_fits_its_column():
    """A key longer than its column is cut, not refused by the database."""
    record = f.make_organization(name_zh="长" * 200)
    assert (
        len(record.name_pinyin)
        == Organization._meta.get_field("name_pinyin").max_length
    )


# Keeping the key right ------------------------------------------------------


def test_saving_a_record_keeps_its_key_in_step_with_its_names():
    """Create, rename, drop the Chinese name: the stored key follows each save."""
    record = f.make_organization(name_en="Alpha Lab", name_zh="张江实验室")
    assert (
        Organization.objects.get(pk=record.pk).name_pinyin == "zhang jiang shi yan shi"
    )
    record.name_zh = "北京研究所"
    record.save()
    assert Organization.objects.get(pk=record.pk).name_pinyin == "bei jing yan jiu suo"
    record.name_zh = ""
    record.save(update_fields=["name_zh"])
    assert Organization.objects.get(pk=record.pk).name_pinyin == "alpha lab"


def test_a_source_is_keyed_by_its_title():
    """Sources are named by their titles, and keyed by them."""
    source = f.make_source(title_en="Report", title_zh="青浦报道")
    assert Source.objects.get(pk=source.pk).title_pinyin == "qing pu bao dao"


def test_loaddata_fills_the_keys():
    """The seeds loaded with plain loaddata (raw saves) get their keys."""
    call_command("loaddata", *SEED_FILES, stdout=StringIO())
    assert District.objects.get(slug="qingpu").name_pinyin == "qing pu qu"
    for model in record_models():
        assert unkeyed(model) == 0, model


def test_load_seeds_fills_the_keys():
    """load_seeds fills every key, and a second load still changes nothing."""
    call_command("load_seeds", stdout=StringIO())
    assert Source.objects.exclude(title_pinyin="").exists()
    for model in record_models():
        assert unkeyed(model) == 0, model
    out = StringIO()
    call_command("load_seeds", stdout=out)
    assert "Nothing created or updated" in out.getvalue()


def test_generate_demo_fills_the_keys():
    """generate_demo's bulk writes, which send no signal, fill every key."""
    f.make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")
    call_command("generate_demo", "--size", "200", stdout=StringIO())
    for model in record_models():
        assert unkeyed(model) == 0, model
    assert not Organization.objects.filter(is_demo=True, name_pinyin="").exists()


def test_the_migration_fills_the_rows_stored_before_it():
    """fill_stored_sort_keys, which migration 0013 runs, keys rows that lack one."""
    make_three_organizations()
    f.make_source(title_en="Report", title_zh="青浦报道")
    Organization.objects.update(name_pinyin="")
    Source.objects.update(title_pinyin="")
    # Batches of two: the third row is in a second batch.
    assert fill_stored_sort_keys(Organization, batch_size=2) == 3
    assert fill_stored_sort_keys(Source) == 1
    assert unkeyed(Organization) == unkeyed(Source) == 0
    assert fill_stored_sort_keys(Organization) == 0  # nothing left to change


def test_every_kind_with_bilingual_names_has_an_indexed_key():
    """Every listed kind can be ordered by pinyin from an index."""
    for kind in KINDS:
        fields = sort_key_fields(kind.model)
        assert fields, kind.key
        assert all(kind.model._meta.get_field(key).db_index for key, _zh, _en in fields)


# Lists ----------------------------------------------------------------------


def test_chinese_lists_sort_by_pinyin_and_english_lists_by_english(client):
    """By default and with ?sort=name_en, the same list follows each language."""
    make_three_organizations()
    slugs = ENGLISH_ORDER
    english = client.get("/organizations/").text
    chinese = client.get("/zh-hans/organizations/").text
    assert in_page_order(english, slugs) == ENGLISH_ORDER
    assert in_page_order(chinese, slugs) == PINYIN_ORDER
    chinese = client.get("/zh-hans/organizations/", {"sort": "name_en"}).text
    assert in_page_order(chinese, slugs) == PINYIN_ORDER
    chinese = client.get("/zh-hans/organizations/", {"sort": "-name_en"}).text
    assert in_page_order(chinese, slugs) == PINYIN_ORDER[::-1]
    english = client.get("/organizations/", {"sort": "-name_en"}).text
    assert in_page_order(english, slugs) == ENGLISH_ORDER[::-1]


def test_names_read_alike_are_ordered_by_the_chinese_name(client):
    """Two names with one pinyin (事 and 市 are both shi) keep a fixed order:
    by the Chinese name's code points, 事 (U+4E8B) before 市 (U+5E02)."""
    f.make_organization(slug="shi-city", name_en="A", name_zh="市")
    f.make_organization(slug="shi-matter", name_en="B", name_zh="事")
    chinese = client.get("/zh-hans/organizations/").text
    slugs = ["shi-city", "shi-matter"]
    assert in_page_order(chinese, slugs) == ["shi-matter", "shi-city"]


def test_dated_lists_break_ties_of_date_by_pinyin(client):
    """Agreements signed the same day are ordered by name in the page's language."""
    day = datetime.date(2024, 5, 1)
    for slug, english, chinese in (ALPHA, MU, ZETA):
        f.make_agreement(slug=slug, name_en=english, name_zh=chinese, signed_on=day)
    f.make_agreement(slug="latest", signed_on=day + datetime.timedelta(days=1))
    slugs = ["latest", *ENGLISH_ORDER]
    english = client.get("/agreements/").text
    chinese = client.get("/zh-hans/agreements/").text
    assert in_page_order(english, slugs) == ["latest", *ENGLISH_ORDER]
    assert in_page_order(chinese, slugs) == ["latest", *PINYIN_ORDER]


def test_sources_sort_by_title_in_pinyin_on_chinese_pages(client):
    """?sort=title_en orders sources by the pinyin of their Chinese titles."""
    for slug, english, chinese in (ALPHA, MU, ZETA):
        f.make_source(slug=slug, title_en=english, title_zh=chinese)
    slugs = ENGLISH_ORDER
    english = client.get("/sources/", {"sort": "title_en"}).text
    chinese = client.get("/zh-hans/sources/", {"sort": "title_en"}).text
    assert in_page_order(english, slugs) == ENGLISH_ORDER
    assert in_page_order(chinese, slugs) == PINYIN_ORDER


def test_a_district_page_lists_its_organizations_by_pinyin(client):
    """The related records without a date follow the page's language too."""
    district = f.make_district(slug="home-district")
    for slug, english, chinese in (ALPHA, MU, ZETA):
        f.make_organization(
            slug=slug, name_en=english, name_zh=chinese, district=district
        )
    url = district.get_absolute_url()
    english = client.get(url).text
    chinese = client.get(f"/zh-hans{url}").text
    assert in_page_order(english, ENGLISH_ORDER) == ENGLISH_ORDER
    assert in_page_order(chinese, ENGLISH_ORDER) == PINYIN_ORDER


def test_the_api_keeps_the_english_order_for_chinese_clients(client):
    """The API, outside the language prefixes, orders alike for every client."""
    make_three_organizations()
    response = client.get(
        "/api/v1/organizations/",
        {"sort": "name_en"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    slugs = [row["slug"] for row in json.loads(response.content)["results"]]
    assert slugs == ENGLISH_ORDER


def test_the_sort_keys_are_not_a_sort_option(client):
    """?sort=name_pinyin is refused as any unknown sort is, never a 500."""
    make_three_organizations()
    response = client.get("/zh-hans/organizations/", {"sort": "name_pinyin"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/experts/", {}),
        ("/experts/", {"sort": "name_en"}),
        ("/organizations/", {}),
        ("/agreements/", {"sort": "-name_en"}),
    ],
)
def test_sorting_by_pinyin_costs_no_extra_query(client, url, query):
    """A Chinese list runs as many queries as the same English one."""
    for _ in range(3):
        f.make_expert()
        f.make_agreement()
    counts = []
    for prefix in ("", "/zh-hans"):
        cache.clear()  # the facet counts the first page kept
        with CaptureQueriesContext(connection) as queries:
            assert client.get(prefix + url, query).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
