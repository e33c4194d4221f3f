"""The public site in English and Simplified Chinese."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from programs.models.base import in_language

from . import factories as f

pytestmark = pytest.mark.django_db


def test_english_is_unprefixed_and_chinese_under_zh_hans(client):
    """The same page answers at /path/ in English and /zh-hans/path/ in Chinese."""
    english = client.get("/projects/")
    chinese = client.get("/zh-hans/projects/")
    assert english.status_code == chinese.status_code == 200
    assert '<html lang="en">' in english.text
    assert '<html lang="zh-Hans">' in chinese.text


def test_unprefixed_paths_stay_english_whatever_the_browser_asks(client):
    """Accept-Language does not turn the English address into a Chinese page."""
    response = client.get("/projects/", headers={"accept-language": "zh-CN,zh"})
    assert '<html lang="en">' in response.text


def test_reverse_follows_the_active_language():
    """Links built while Chinese is active point at the Chinese pages."""
    with translation.override("zh-hans"):
        assert reverse("programs:project-list") == "/zh-hans/projects/"
    assert reverse("programs:project-list") == "/projects/"


def test_language_switcher_keeps_the_page_and_its_filters(client):
    """The switcher links to this page, with its query, in the other language."""
    text = client.get("/projects/", {"q": "talent", "sort": "-announced_on"}).text
    assert 'href="/zh-hans/projects/?q=talent&amp;sort=-announced_on"' in text
    chinese = client.get("/zh-hans/projects/", {"q": "talent"}).text
    assert 'href="/projects/?q=talent"' in chinese


def test_every_page_names_its_alternates_with_hreflang(client):
    """Search engines learn both language versions of a page and the default."""
    district = f.make_district(slug="qingpu")
    text = client.get(district.get_absolute_url()).text
    alternates = dict(
        re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', text)
    )
    assert alternates == {
        "en": "http://testserver/districts/qingpu/",
        "zh-Hans": "http://testserver/zh-hans/districts/qingpu/",
        "x-default": "http://testserver/districts/qingpu/",
    }


def test_language_links_are_remembered_per_address_host_and_language(client, settings):
    """The rendered language links are kept, but never shown on another page,
    host, scheme or language than their own."""
    settings.ALLOWED_HOSTS = ["testserver", "example.org"]

    def alternates(path, **extra):
        text = client.get(path, **extra).text
        return re.findall(r'<link rel="alternate" hreflang=\S+ href="([^"]+)"', text)

    for _ in range(2):  # the second time from what the first kept
        assert alternates("/projects/")[0] == "http://testserver/projects/"
        assert alternates("/projects/?q=a")[0] == "http://testserver/projects/?q=a"
        assert alternates("/projects/", HTTP_HOST="example.org")[0] == (
            "http://example.org/projects/"
        )
        assert alternates("/projects/", secure=True)[0] == (
            "https://testserver/projects/"
        )
        chinese = client.get("/zh-hans/projects/").text
        assert '<span aria-current="true" lang="zh-Hans">' in chinese
        assert '<a href="/projects/" hreflang="en" lang="en">' in chinese


def test_names_follow_the_language_and_fall_back_marked(client):
    """A name shows in the page's language, or in the other one marked with lang."""
    f.make_organization(name_en="Qingpu Government", name_zh="青浦区政府")
    f.make_organization(name_en="Only English Co", name_zh="")
    english = client.get("/organizations/").text
    chinese = client.get("/zh-hans/organizations/").text
    assert "Qingpu Government" in english and "青浦区政府" not in english
    assert "青浦区政府" in chinese and "Qingpu Government" not in chinese
    assert '<span lang="en">Only English Co</span>' in chinese


def test_detail_page_gives_the_other_name_as_a_subtitle(client):
    """A record's page is headed in the page language, the other name beneath."""
    agreement = f.make_agreement(name_en="Strategic cooperation", name_zh="战略合作")
    chinese = client.get(f"/zh-hans{agreement.get_absolute_url()}").text
    assert "<h1>战略合作</h1>" in chinese
    assert '<span class="other-language" lang="en">Strategic cooperation</span>' in (
        chinese
    )


def test_summaries_follow_the_language(client):
    """The summary shown is the one in the page's language."""
    project = f.make_project(summary_en="In English.", summary_zh="中文摘要。")
    url = project.get_absolute_url()
    english, chinese = client.get(url).text, client.get(f"/zh-hans{url}").text
    assert "In English." in english and "中文摘要。" not in english
    assert "中文摘要。" in chinese and "In English." not in chinese


def test_dates_are_written_for_the_language(client):
    """Dates read naturally in each language, with a machine-readable datetime."""
    agreement = f.make_agreement(signed_on="2023-06-15")
    url = agreement.get_absolute_url()
    english, chinese = client.get(url).text, client.get(f"/zh-hans{url}").text
    assert '<time datetime="2023-06-15">June 15, 2023</time>' in english
    assert '<time datetime="2023-06-15">2023年6月15日</time>' in chinese


def test_in_language_falls_back_and_says_which_language():
    """in_language() returns the text and the language it is actually in."""
    district = f.make_district(city_en="Shanghai", city_zh="")
    with translation.override("zh-hans"):
        assert in_language(district, "city") == ("Shanghai", "en")
    with translation.override("en"):
        assert in_language(district, "city") == ("Shanghai", "en")


def test_figures_cite_their_source_by_title_in_both_languages(client):
    """A figure's source is linked by its title, in the page's language."""
    source = f.make_source(title_en="Cooperation report", title_zh="合作报道")
    agreement = f.make_agreement()
    f.make_figure(agreement=agreement, source=source, value=8)
    url, source_url = agreement.get_absolute_url(), source.get_absolute_url()
    english, chinese = client.get(url).text, client.get(f"/zh-hans{url}").text
    assert f'<a href="{source_url}">Cooperation report</a>' in english
    assert f'<a href="/zh-hans{source_url}">合作报道</a>' in chinese


def test_figures_and_place_names_read_naturally_in_chinese(client):
    """Figures and a district's city and province use Chinese word order."""
    district = f.make_district(
        name_zh="嘉善县",
        city_en="Jiaxing",
        city_zh="嘉兴市",
        province_en="Zhejiang",
        province_zh="浙江省",
    )
    f.make_figure(district=district, value=40, qualifier="more_than")
    chinese = client.get("/zh-hans/").text
    assert "浙江省嘉兴市" in chinese
    assert "已公布 <strong>超过 40</strong>，已收录 <strong>0</strong>" in chinese


def test_the_layouts_fixed_parts_follow_the_language(client):
    """What {% once_per_language %} renders once is rendered per language,
    and a page's own values around it stay its own."""
    english = client.get("/projects/").text
    chinese = client.get("/zh-hans/projects/").text
    again = client.get("/projects/?q=solar").text
    assert 'href="/sources/"' in english and 'href="/zh-hans/sources/"' in chinese
    assert "Skip to content" in english and "Skip to content" not in chinese
    assert 'href="/zh-hans/projects/?q=solar"' in again


def test_the_layouts_fixed_parts_follow_a_changed_urlconf(settings):
    """Rendered once per language and URLconf: a test's own URLconf, or a
    change of settings, gets them anew."""
    from django.template import engines

    template = engines["django"].from_string(
        "{% load programs %}{% once_per_language %}"
        "{% url 'programs:home' %}{% end_once_per_language %}"
    )
    with translation.override("zh-hans"):
        assert template.render({}) == "/zh-hans/"
    assert template.render({}) == "/"
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    assert template.render({}) == "/"


def test_sort_choices_are_translated_both_ways(client):
    """Descending orders are labelled in Chinese too (django-filter itself
    translates them for zh_CN only)."""
    html = client.get("/zh-hans/projects/").text
    assert "名称（降序）" in html and "(descending)" not in html
