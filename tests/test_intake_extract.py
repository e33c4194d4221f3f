"""The extractor of "Add from a report", one short report per pattern.

Each report is written for the test, in English or Chinese; traps (a year in
a title, a percentage, money, an area, an age, a rank) must be ignored or
kept apart from counts.
"""

import datetime
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programs.staff.intake.dates import dates_in
from programs.staff.intake.documents import IntakeError, read_document
from programs.staff.intake.extract import propose
from programs.staff.intake.text import language_of

from .factories import make_district, make_organization

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2023, 6, 16)
# The seed article stays outside the project (its sentences are the outlet's).
SEED_REPORT = Path("/work/shared/source/2023-06-16-sast-qingpu-news.txt")
needs_seed_report = pytest.mark.skipif(
    not SEED_REPORT.exists(), reason="the seed article is not on this machine"
)


def figures(text, published_on=FRIDAY):
    return propose(text, published_on=published_on).as_json()["figures"]


def one_figure(text, published_on=FRIDAY):
    found = [f for f in figures(text, published_on) if f["unit"] is None]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "words, language, expected",
    [
        ("officials announced on Thursday", "en", "2023-06-15"),
        ("the forum held on Wednesday", "en", "2023-06-14"),
        ("as of the end of last year", "en", "2022-12-31"),
        ("by the end of June", "en", "2023-06-30"),
        ("on June 3, 2022", "en", "2022-06-03"),
        ("last Friday", "en", "2023-06-09"),
        ("yesterday", "en", "2023-06-15"),
        ("6月3日", "zh", "2023-06-03"),
        ("今年3月8日", "zh", "2023-03-08"),
        ("去年12月20日", "zh", "2022-12-20"),
        ("截至去年底", "zh", "2022-12-31"),
        ("上周三", "zh", "2023-06-07"),
        ("2021年5月1日", "zh", "2021-05-01"),
    ],
)
def test_dates_resolve_against_the_publication_date(words, language, expected):
    """Relative and partial dates take the report's own date as their anchor."""
    found = dates_in(words, language, FRIDAY)
    assert [d.date.isoformat() for d in found] == [expected]


@pytest.mark.parametrize(
    "words, language",
    [
        ("recently", "en"),
        ("in late July", "en"),
        ("last week", "en"),
        ("近日", "zh"),
        ("日前", "zh"),
        ("7月下旬", "zh"),
        ("2月30日", "zh"),
    ],
)
def test_vague_or_impossible_dates_give_no_date(words, language):
    """A proposal never carries a date the text does not support."""
    assert dates_in(words, language, FRIDAY) == []


def test_a_relative_date_with_no_anchor_gives_no_date():
    """Without a publication date, "on Thursday" cannot be placed."""
    figure = one_figure("Four experts were appointed on Thursday.", published_on=None)
    assert figure["as_of"] is None


@pytest.mark.parametrize(
    "sentence, value, qualifier, counts",
    [
        ("Eight key projects were unveiled.", 8, "exactly", "key projects"),
        ("The city has more than 40 workstations.", 40, "more_than", "workstations"),
        ("About 400 companies took part.", 400, "about", "companies"),
        ("Nearly 1,100 enterprises moved in.", 1100, "about", "enterprises"),
        ("Twenty-three scientists joined.", 23, "exactly", "scientists"),
        ("It hosts 40-plus incubators.", 40, "more_than", "incubators"),
        ("会上，8个重点项目集中签约。", 8, "exactly", "个重点项目"),
        ("全区已建成院士工作站40余家。", 40, "more_than", "院士工作站"),
        ("同时，四名专家受聘。", 4, "exactly", "名专家"),
        ("引进博士二十三名。", 23, "exactly", "博士"),
        ("逾1100家企业入驻。", 1100, "more_than", "家企业"),
        ("约400名人才参加。", 400, "about", "名人才"),
        ("近50个平台揭牌。", 50, "about", "个平台"),
        ("高新技术企业达到120家以上。", 120, "more_than", "高新技术企业"),
    ],
)
def test_counts_keep_value_qualifier_and_what_they_count(
    sentence, value, qualifier, counts
):
    """Numerals, number words and Chinese numbers, with their qualifiers."""
    figure = one_figure(sentence)
    assert (figure["value"], figure["qualifier"], figure["counts"]) == (
        value,
        qualifier,
        counts,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The plan runs to 2030 and was drafted in 2022.",
        "Output rose 45 percent and exports 12%.",
        "The park covers 120 square kilometres.",
        "The winner, aged 35, ranked No. 3 nationally.",
        "The 35-year-old founder spent five years abroad.",
        "Call 021-6975-0000 for details.",
        "《2030年人才发展规划》正式发布。",
        "研发投入占比达到30%，面积15平方公里。",
        "该企业负责人今年35岁，位列全省第一。",
        "The two sides agreed to deepen cooperation.",
    ],
)
def test_numbers_that_are_not_counts_are_ignored(sentence):
    """Years, percentages, areas, ages, ranks and phone numbers are not counts."""
    assert figures(sentence) == []


@pytest.mark.parametrize(
    "sentence, value, unit",
    [
        ("A fund of 1.5 billion yuan was set up.", 1_500_000_000, "CNY"),
        ("It raised US$20 million.", 20_000_000, "USD"),
        ("总投资5亿元。", 500_000_000, "CNY"),
        ("获得3000万元支持。", 30_000_000, "CNY"),
    ],
)
def test_sums_of_money_keep_their_unit_and_are_not_counts(sentence, value, unit):
    """Money is proposed with its unit and no subject, never as a count."""
    [figure] = figures(sentence)
    assert (figure["value"], figure["unit"], figure["subject"]) == (value, unit, None)


@pytest.mark.parametrize(
    "counted, subject",
    [
        ("key projects", "key_projects"),
        ("overseas talent innovation and entrepreneurship projects", "talent_projects"),
        ("overseas entrepreneurship talent representatives", "entrepreneurs"),
        ("experts", "experts"),
        ("workstations for academics", "workstations"),
        ("个产业项目", "projects"),
        ("家企业", "organizations"),
        ("名高层次人才", "talent"),
        ("项人才政策", "policies"),
        ("个创新平台", "platforms"),
        ("份合作协议", "agreements"),
    ],
)
def test_what_a_phrase_counts_becomes_a_subject(counted, subject):
    """Subjects extend beyond the kinds of record; the phrase stays as written."""
    from programs.staff.intake.subjects import subject_of

    assert subject_of(counted) == subject


def test_an_english_agreement_names_its_parties_date_and_areas():
    """ "A and B signed a … agreement on Wednesday" with its listed areas."""
    uni = make_organization(name_en="Suzhou University", name_zh="苏州大学")
    report = (
        "Suzhou University and the Wujiang Talent Service Center signed a "
        "strategic cooperation agreement on Wednesday. The two sides will "
        "cooperate in talent training, joint research and technology transfer."
    )
    [agreement] = propose(report, published_on=FRIDAY).as_json()["agreements"]
    assert agreement["name"] == "strategic cooperation agreement"
    assert agreement["signed_on"] == "2023-06-14"
    assert [p["organization"] for p in agreement["parties"]] == [uni.slug, None]
    assert agreement["parties"][1]["name"] == "Wujiang Talent Service Center"


def test_several_agreements_in_one_chinese_sentence():
    """ "A分别与B、C签署…协议" is one agreement per pair."""
    report = "吴江区科技局分别与苏州大学、南京大学签署人才合作协议。"
    found = propose(report, published_on=FRIDAY).as_json()["agreements"]
    assert [[p["name"] for p in a["parties"]] for a in found] == [
        ["吴江区科技局", "苏州大学"],
        ["吴江区科技局", "南京大学"],
    ]
    assert {a["name"] for a in found} == {"人才合作协议"}


def test_a_district_signs_through_its_government_on_file():
    """ "青浦区与…签署" names the district's government, when it is on file."""
    qingpu = make_district(slug="qingpu-x", name_en="Qingpu District", name_zh="青浦区")
    government = make_organization(
        name_en="Qingpu District Government", kind="government", district=qingpu
    )
    make_organization(
        name_en="SAST full", name_zh="上海市科学技术协会", other_names="市科协"
    )
    report = "6月15日，市科协与青浦区签订战略合作协议。"
    [agreement] = propose(report, published_on=FRIDAY).as_json()["agreements"]
    assert agreement["signed_on"] == "2023-06-15"
    assert [p["organization"] for p in agreement["parties"]][1] == government.slug


def test_known_short_forms_match_organizations_on_file():
    """ "SAST" and 市科协 find the association by its other names."""
    sast = make_organization(
        name_en="Shanghai Association for Science and Technology",
        name_zh="上海市科学技术协会",
        other_names="SAST\n市科协",
    )
    for report in ("SAST appointed four experts.", "市科协聘请4名专家。"):
        found = propose(report, published_on=FRIDAY).as_json()["organizations"]
        assert [o["organization"] for o in found] == [sast.slug]


@pytest.mark.parametrize(
    "report, names",
    [
        (
            "Fudan University, Jiaxing Bank and Suzhou Tech Co., Ltd. joined.",
            ["Fudan University", "Jiaxing Bank", "Suzhou Tech Co., Ltd."],
        ),
        ("同济大学与嘉兴银行股份有限公司签约。", ["同济大学", "嘉兴银行股份有限公司"]),
        ("嘉善县人才工作领导小组办公室和浙江大学举办活动。", ["浙江大学"]),
    ],
)
def test_new_organizations_are_proposed_as_written(report, names):
    """Names ending as organizations' names do are proposed, not matched."""
    found = propose(report, published_on=FRIDAY).as_json()["organizations"]
    assert [o["name"] for o in found] == names
    assert all(o["organization"] is None for o in found)


def test_figures_take_the_district_and_organization_their_sentence_names():
    """A count's district and host come from its own clause."""
    wujiang = make_district(
        slug="wujiang-x", name_en="Wujiang District", name_zh="吴江区"
    )
    park = make_organization(name_en="Fenhu Hi-tech Zone", name_zh="汾湖高新区")
    report = (
        "On Tuesday, three entrepreneurs signed with Fenhu Hi-tech Zone in Wujiang."
    )
    figure = one_figure(report)
    assert (figure["district"], figure["organization"]) == (wujiang.slug, park.slug)
    assert figure["as_of"] == "2023-06-13"


def test_same_occasion_takes_the_date_of_the_event_before():
    """ "At the same time" and 同时 carry the last event's date."""
    report = "签约仪式6月15日举行。同时，4名专家受聘。"
    assert one_figure(report)["as_of"] == "2023-06-15"


def test_language_is_detected():
    assert language_of("Qingpu signed an agreement with SAST (上海市科协).") == "en"
    assert language_of("青浦区与SAST签署协议。") == "zh"


@needs_seed_report
def test_the_seed_report_reproduces_the_seeds(seeded_for_intake):
    """The first acceptance test: the seed article proposes what seeds/ holds."""
    found = propose(SEED_REPORT.read_text(), published_on=FRIDAY).as_json()
    [agreement] = found["agreements"]
    assert agreement["signed_on"] == "2023-06-15"
    assert {p["organization"] for p in agreement["parties"]} == {
        "sast",
        "qingpu-district-government",
    }
    rows = {
        (f["subject"], f["value"], f["qualifier"], f["as_of"], f["organization"])
        for f in found["figures"]
    }
    assert rows == {
        ("key_projects", 8, "exactly", "2023-06-15", None),
        ("workstations", 40, "more_than", "2022-12-31", None),
        ("experts", 4, "exactly", "2023-06-15", None),
        (
            "entrepreneurs",
            3,
            "exactly",
            "2023-06-15",
            "shanghai-qingpu-industrial-park",
        ),
        ("talent_projects", 3, "exactly", "2023-06-15", "sast"),
    }
    assert {f["district"] for f in found["figures"]} == {"qingpu"}


@needs_seed_report
def test_the_seed_report_is_matched_to_the_records_on_file(seeded_for_intake):
    """Running a report already on file proposes matches, not duplicates."""
    proposals = propose(SEED_REPORT.read_text(), published_on=FRIDAY)
    assert proposals.agreements[0].existing.slug == (
        "sast-qingpu-strategic-cooperation-2023"
    )
    assert {f.existing.slug for f in proposals.figures} == {
        "sast-qingpu-key-projects-2023",
        "qingpu-academician-workstations-2022",
        "sast-experts-appointed-2023",
        "qingpu-industrial-park-overseas-entrepreneurs-2023",
        "sast-overseas-talent-projects-2023",
    }
    assert all(o.existing is not None for o in proposals.organizations)


@pytest.fixture
def seeded_for_intake():
    call_command("load_seeds", stdout=StringIO())


@needs_seed_report
def test_the_command_prints_one_json_object(seeded_for_intake, tmp_path):
    """propose_records --format json prints exactly the contract's object."""
    report = tmp_path / "report.txt"
    shutil.copy(SEED_REPORT, report)
    out = StringIO()
    call_command(
        "propose_records", str(report), published_on="2023-06-16", format="json",
        stdout=out,
    )  # fmt: skip
    found = json.loads(out.getvalue())
    assert set(found) == {
        "source",
        "districts",
        "organizations",
        "agreements",
        "figures",
    }
    assert found["source"]["published_on"] == "2023-06-16"
    assert found["source"]["language"] == "en"
    assert set(found["figures"][0]) == {
        "value", "qualifier", "counts", "subject", "unit", "as_of", "district",
        "organization", "evidence",
    }  # fmt: skip


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "is empty"),
        ("binary.txt", b"\x00\x01\x02" * 100, "binary"),
        ("broken.docx", b"not a zip", "Word document"),
        ("huge.txt", b"a" * (2 * 1024 * 1024 + 1), "over 2 MB"),
        ("picture.png", b"\x89PNG", "not a .txt"),
    ],
)
def test_bad_files_are_refused_in_one_line(name, data, message):
    with pytest.raises(IntakeError, match=message) as refused:
        read_document(name, data)
    assert "\n" not in str(refused.value)


def test_the_command_refuses_an_impossible_date(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("Four experts were appointed.")
    with pytest.raises(CommandError, match="not a date"):
        call_command("propose_records", str(report), published_on="2023-02-30")


def test_html_and_docx_reports_keep_their_paragraphs():
    import io

    import docx

    html = b"<html><head><title>x</title><script>var a=1;</script></head><body>"
    html += b"<p>First paragraph.</p><p>Eight key projects were unveiled.</p></body>"
    assert read_document("r.html", html) == (
        "First paragraph.\n\nEight key projects were unveiled."
    )
    document = docx.Document()
    document.add_paragraph("第一段。")
    document.add_paragraph("4名专家受聘。")
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_document("r.docx", buffer.getvalue()) == "第一段。\n\n4名专家受聘。"
