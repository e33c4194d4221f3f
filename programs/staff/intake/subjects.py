"""What a counted phrase counts, as a subject of announced figures."""

import re

from ...models import AnnouncedFigure

Subject = AnnouncedFigure.Subject

# The first rule whose words the counted phrase holds gives its subject;
# specific rules come before general ones ("overseas talent … projects"
# before "projects", "entrepreneurship talent" before "talent").
RULES = [
    (Subject.TALENT_PROJECTS, r"(?:talent|entrepreneur|人才|创业).*(?:project|项目)"),
    (Subject.KEY_PROJECTS, r"\b(?:key|major) (?:\w+ )?projects?|重点.*项目|重大.*项目"),
    (Subject.WORKSTATIONS, r"workstation|工作站"),
    (Subject.ENTREPRENEURS, r"entrepreneur|创业(?:人才|者|团队|代表)|创客"),
    (Subject.EXPERTS, r"\bexperts?\b|academicians?|专家|院士"),
    (Subject.PLATFORMS, r"platform|incubator|innovation cent(?:er|re)|laborator|"
                        r"平台|孵化器|创新中心|研发中心|众创空间|实验室"),
    (Subject.PROJECTS, r"\bprojects?\b|项目"),
    (Subject.AGREEMENTS, r"agreement|memorand|\bmous?\b|contract|协议|备忘录|合同"),
    (Subject.POLICIES, r"polic(?:y|ies)|measures|政策|措施|举措|条款"),
    (Subject.ORGANIZATIONS, r"compan|enterprise|\bfirms?\b|institution|universit|"
                            r"college|企业|公司|机构|高校|院校|单位|园区"),
    (Subject.TALENT, r"talent|professional|returnee|scientist|researcher|"
                     r"graduate|doctor|postdoc|engineer|人才|专业人士|海归|博士|"
                     r"硕士|科学家|科研人员|工程师|留学"),
]  # fmt: skip
_COMPILED = [
    (subject, re.compile(pattern, re.IGNORECASE)) for subject, pattern in RULES
]


# Subjects a whole phrase gives even when its last word says something
# broader: "key projects" are key projects, not just projects.
SPECIFIC = {"talent_projects", "key_projects", "workstations", "entrepreneurs",
            "experts", "platforms"}  # fmt: skip


def subject_of(counted):
    """Return the subject of a counted phrase, or None if none fits.

    The phrase's head (its last word, or last two characters) decides among
    the broad subjects: "university graduates" are people, not universities.
    """
    whole = _first_match(counted)
    if whole in SPECIFIC:
        return whole
    head = counted[-2:] if re.search(r"[\u3400-\u9fff]$", counted) else (
        counted.split()[-1] if counted.split() else ""
    )  # fmt: skip
    return _first_match(head) or whole


def _first_match(text):
    for subject, pattern in _COMPILED:
        if pattern.search(text):
            return subject.value
    return None
