"""Districts and organizations in a sentence: those on file, and new ones.

Organizations on file are found by any of their names (English, Chinese and
the other names staff keep, such as "SAST" or ``市科协``). New ones are found
by how names of organizations end (``…大学``, ``…委员会``, "… University",
"… Co., Ltd.") and proposed with the name as written.
"""

import re
from dataclasses import dataclass

from ...models import District, Organization

Kind = Organization.Kind

ENGLISH_SUFFIXES = {
    Kind.UNIVERSITY: ["University", "College", "School"],
    Kind.INSTITUTE: ["Institute", "Academy", "Laboratory", "Lab", "Observatory"],
    Kind.ASSOCIATION: ["Association", "Society", "Federation", "Chamber of Commerce",
                       "Alliance", "Union"],
    Kind.GOVERNMENT: ["Government", "government", "Commission", "Committee",
                      "Bureau", "Department", "Administration", "Ministry"],
    Kind.INDUSTRIAL_PARK: ["Park", "Development Zone", "Hi-tech Zone",
                           "High-tech Zone", "Free Trade Zone", "Incubator"],
    Kind.COMPANY: ["Co., Ltd.", "Co. Ltd.", "Co., Ltd", "Ltd.", "Ltd", "Co.",
                   "Company", "Group", "Corporation", "Corp.", "Inc.", "Bank",
                   "Branch"],
    Kind.OTHER: ["Center", "Centre", "Foundation", "Hospital", "Council"],
}  # fmt: skip
CHINESE_SUFFIXES = {
    Kind.UNIVERSITY: ["大学", "学院", "职业技术学院"],
    Kind.INSTITUTE: ["研究院", "研究所", "科学院", "实验室", "工程院"],
    Kind.ASSOCIATION: ["协会", "学会", "联合会", "商会", "促进会", "联盟", "科协"],
    Kind.GOVERNMENT: ["人民政府", "政府", "委员会", "管委会", "管理局", "局", "厅"],
    Kind.INDUSTRIAL_PARK: ["工业园区", "产业园区", "产业园", "科技园", "园区",
                           "开发区", "高新区", "孵化器", "创业园"],
    Kind.COMPANY: ["股份有限公司", "有限责任公司", "有限公司", "公司", "集团", "银行"],
    Kind.OTHER: ["中心", "基金会", "医院"],
}  # fmt: skip
# What turns a name into its branch's: 中国银行苏州分行, 中国科学院上海分院.
CHINESE_BRANCHES = ["分行", "支行", "分院", "分会", "分公司", "办事处", "执行委员会"]

_CAPITAL = r"(?:[A-Z][\w'’&.-]*|\d+[A-Za-z]*)"
_JOINER = r"(?:of|for|and|the|de|&)"
ENGLISH_NAME = re.compile(
    rf"{_CAPITAL}(?: (?:{_JOINER} )*{_CAPITAL})*(?: government)?(?:,? Ltd\.?)?"
)
# Capitalised words that open sentences and clauses, not names.
NOT_NAMES = {
    "The", "A", "An", "Under", "As", "At", "In", "On", "By", "With", "And",
    "Both", "Its", "Their", "This", "That", "These", "Those", "Since", "During",
    "After", "Before", "According", "Meanwhile", "Officials", "Last", "Next",
    "Also", "It", "Many", "Some", "More", "Eight", "Four", "Three", "Two",
    "Five", "Six", "Seven", "Nine", "Ten", "Over", "About", "Nearly", "From",
    "Among", "Through", "For", "To", "Of", "Then", "Later", "Earlier",
}  # fmt: skip
# A name is cut after the last of these, which end what comes before a name.
CHINESE_BREAKS = re.compile(
    r".*(?:签署|签订|签约|携手|联合|举行|召开|主办|承办|出席|参加|来自|代表|以及|"
    r"分别|共同|揭牌|授牌|落户|入驻|引进|聘请|受聘|担任|推动|支持|依托|包括|"
    r"新设|设立|建成|建立|打造|成立|进(?=园区|企业|社区|校园)|"
    r"[一二两三四五六七八九十百千万\d]+[个家名位项所座]|"
    # 人力资源和社会保障局, 住房和城乡建设局: an "and" inside a name.
    r"和(?!社会保障|城乡建设|信息化|旅游|改革)|(?<!集团)[）)]|[（(](?!集团)|"
    r"[与及跟在向为是的等了将把被从让给到、，,：:；;“”\"《》\s\d年月日\n])",
    re.DOTALL,
)
# Words that open a phrase about organizations in general, not a name.
GENERIC = re.compile(
    r"^(?:重点|各|相关|有关|该|本|多|一批|新建|新增|新设|首批|省级|市级|区级|县级|国家级|"
    r"会上|近日|日前|同时|此外|目前|当天|其中|此次|本次|全市|全区|全县|当地|"
    r"这|那|其|我|贵|下属|所属|海内外|海外|国内外)"
)
MAX_CHINESE_NAME = 24


@dataclass(frozen=True)
class Mention:
    """An organization or district named in a sentence."""

    name: str
    span: tuple[int, int]
    existing: Organization | District | None = None
    kind: str = Kind.OTHER
    # Where a new organization is: the district its name names.
    district: District | None = None


class Gazetteer:
    """The districts and organizations on file, and how reports name them.

    Demo organizations are invented, so reports are never matched to them.
    """

    def __init__(self):
        self.districts = list(District.objects.all())
        self.organizations = list(
            Organization.objects.filter(is_demo=False).select_related("district")
        )
        self._district_names = self._names(self.districts, _district_forms)
        self._organization_names = self._names(self.organizations, _organization_forms)

    def districts_in(self, sentence):
        """Return the districts ``sentence`` names, as mentions."""
        return _find(sentence, self._district_names)

    def organizations_in(self, sentence, language):
        """Return the organizations ``sentence`` names, on file or new, in order."""
        found = _find(sentence, self._organization_names)
        finder = _new_chinese if language == "zh" else _new_english
        # Names on file are blanked out, so that "SAST and the Shanghai …
        # Bureau" leaves the bureau to be found on its own.
        blanked = sentence
        for mention in found:
            start, end = mention.span
            blanked = blanked[:start] + "\n" * (end - start) + blanked[end:]
        for mention in finder(blanked):
            if not any(_overlaps(mention.span, other.span) for other in found):
                found.append(self._placed(mention))
        return sorted(found, key=lambda mention: mention.span)

    def government_of(self, district):
        """Return the government on file of ``district``, if there is one."""
        for organization in self.organizations:
            if (
                organization.kind == Kind.GOVERNMENT
                and organization.district_id == district.pk
            ):
                return organization
        return None

    def _placed(self, mention):
        # A new organization named after a district is in that district.
        districts = self.districts_in(mention.name)
        district = districts[0].existing if districts else None
        return Mention(mention.name, mention.span, None, mention.kind, district)

    @staticmethod
    def _names(records, forms):
        names = [(form, record) for record in records for form in forms(record)]
        return sorted(names, key=lambda pair: len(pair[0]), reverse=True)


def _district_forms(district):
    forms = {district.name_en, district.name_zh}
    # "Qingpu" for Qingpu District; 青浦 for 青浦区 (two characters at least).
    forms.add(re.sub(r"\s+(District|County|City)$", "", district.name_en))
    if len(district.name_zh) >= 3:
        forms.add(district.name_zh[:-1])
    return {form for form in forms if form}


def _organization_forms(organization):
    forms = {organization.name_en, organization.name_zh}
    forms.update(line.strip() for line in organization.other_names.splitlines())
    return {form for form in forms if len(form) >= 2}


def _find(sentence, names):
    """Return mentions of the longest names first, never two overlapping."""
    found = []
    for name, record in names:
        for match in _name_pattern(name).finditer(sentence):
            if not any(_overlaps(match.span(), other.span) for other in found):
                kind = getattr(record, "kind", Kind.OTHER)
                found.append(Mention(match.group(), match.span(), record, kind))
    return sorted(found, key=lambda mention: mention.span)


_PATTERNS = {}


def _name_pattern(name):
    if name not in _PATTERNS:
        if re.search(r"[A-Za-z]", name):
            # Whole words, any case: "Qingpu District government".
            _PATTERNS[name] = re.compile(
                rf"(?<![\w]){re.escape(name)}(?![\w])", re.IGNORECASE
            )
        else:
            _PATTERNS[name] = re.compile(re.escape(name))
    return _PATTERNS[name]


def _overlaps(one, other):
    return one[0] < other[1] and other[0] < one[1]


def _new_english(sentence):
    for match in ENGLISH_NAME.finditer(sentence):
        words = match.group().split(" ")
        start = match.start()
        while words and words[0].strip(",") in NOT_NAMES:
            start += len(words[0]) + 1
            words = words[1:]
        name = " ".join(words).rstrip(",")
        # A sentence's full stop is not part of "… Park", but is of "Co., Ltd.".
        if (
            name.endswith(".")
            and not name.endswith(("Ltd.", "Co.", "Inc.", "Corp."))
            and _english_kind(name[:-1])
        ):
            name = name[:-1]
        for part, offset in _english_parts(name):
            kind = _english_kind(part)
            if kind is not None and " " in part:
                begin = start + offset
                yield Mention(part, (begin, begin + len(part)), None, kind)


def _english_parts(name):
    """Split "Fudan University and Suzhou Tech Co., Ltd." into its two names.

    Split at the last "and" (or comma) whose two sides are each a name, then
    again on the left: "Shanghai Association for Science and Technology"
    stays whole, as "Technology" alone is no name.
    """
    for joiner in reversed(list(re.finditer(r",? and (?:the )?|, (?:the )?", name))):
        left, right = name[: joiner.start()], name[joiner.end() :]
        if (
            " " in right
            and _english_kind(left)
            and _english_kind(right, ending_only=True)
        ):
            return [*_english_parts(left), (right, joiner.end())]
    return [(name, 0)]


def _english_kind(name, ending_only=False):
    for kind, suffixes in ENGLISH_SUFFIXES.items():
        for suffix in suffixes:
            if name.endswith(suffix):
                return kind
            # "University of Shanghai …", "Association for Science …".
            if not ending_only and re.match(
                rf"(?:\S+ )*{re.escape(suffix)} (?:of|for|on|in) ", name
            ):
                return kind
    return None


# One suffix or several: 嘉兴银行股份有限公司, 苏州工业园区管委会.
_ONE_CHINESE_SUFFIX = "|".join(
    sorted(
        [
            *(s for suffixes in CHINESE_SUFFIXES.values() for s in suffixes),
            *CHINESE_BRANCHES,
        ],
        key=len,
        reverse=True,
    )
)
_CHINESE_SUFFIX = re.compile(rf"(?:{_ONE_CHINESE_SUFFIX})+")


def _new_chinese(sentence):
    found = []
    for match in _CHINESE_SUFFIX.finditer(sentence):
        last_end = found[-1].span[1] if found else 0
        run_start = max(last_end, match.start() - MAX_CHINESE_NAME)
        head = sentence[run_start : match.start()]
        cut = CHINESE_BREAKS.match(head)
        start = run_start + (cut.end() if cut else 0)
        if found and start == last_end and last_end > 0:
            # 南京大学 + 吴江创新研究院: one name, the institute of the university.
            previous = found.pop()
            name = sentence[previous.span[0] : match.end()]
            kind = _chinese_kind(match.group(), previous.kind)
            found.append(Mention(name, (previous.span[0], match.end()), None, kind))
            continue
        name = sentence[start : match.end()]
        prefix = name[: -len(match.group())]
        if len(prefix) >= 2 and not GENERIC.match(name):
            found.append(
                Mention(name, (start, match.end()), None, _chinese_kind(match.group()))
            )
    return found


def _chinese_kind(suffix, default=Kind.OTHER):
    for kind, suffixes in CHINESE_SUFFIXES.items():
        if any(suffix.endswith(one) for one in suffixes):
            return kind
    return default
