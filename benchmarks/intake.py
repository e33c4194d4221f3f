"""
Score "Add from a report" (``manage.py propose_records``) on a blind set of reports.

    .venv/bin/python -m benchmarks.intake             the table: precision and recall
    .venv/bin/python -m benchmarks.intake --verbose   and every miss and false positive
    .venv/bin/python -m benchmarks.intake --only zh_03 --verbose

The set is tests/intake_reports/ (its README.md gives the annotation rules):
each ``NAME.txt`` is a report, ``NAME.meta.json`` what staff would type beside
it (publication date, outlet, link) and ``NAME.json`` the proposals expected,
in the JSON contract of ``propose_records --format json``.

The extractor runs against a throw-away SQLite database, migrated and loaded
with seeds/ (so existing organizations can be matched), in this process by
default or, with ``--subprocess``, as ``manage.py propose_records`` in a child
process, exactly as staff would run it. Nothing else is touched.

What is scored, per language and overall (true positives, false positives,
false negatives, precision, recall):

- source        the language and the publication date proposed;
- districts     district slugs, as a set;
- organizations an existing organization by its slug, a new one by its name
                (slug null); ``organizations~`` counts a name or slug match
                even when the slug is wrong or missing;
- agreements    the parties (each by slug or name, as a set) and signed_on;
                ``agreements~`` the parties alone;
- figures       value, unit, counts (loosely), qualifier, subject and as_of;
                ``figures~`` value, unit and counts alone (the figure was found);
- dates         signed_on and as_of of the agreements and figures found: a
                date proposed where none is expected is a false positive.

Below the table, the fields of the figures found (qualifier, subject, as_of,
district, organization) are scored the same way, and how many proposals cite
the expected sentence as evidence.

Names match case-insensitively once punctuation, whitespace, articles and a
possessive are dropped (and, failing that, without a parenthesised part such
as "(SAST)"). ``counts`` match when one contains the other once whitespace,
punctuation, leading classifiers (个, 家, 名...) and plural endings are
dropped, or when their English head nouns agree ("academician workstations",
"workstations for academics"); a count with no noun left ("人", "名") matches
any. Units match by
currency (CNY: yuan, 元, RMB...; USD: dollars, 美元...). A proposed figure with
a unit that is not a currency (km², %, 岁) is not a count: it is listed, not
scored.
"""

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REPORTS_DIR = BASE_DIR / "tests" / "intake_reports"
COMMAND = "propose_records"

QUALIFIERS = {"exactly", "more_than", "about"}
LANGUAGES = ("en", "zh")
SCOPES = (*LANGUAGES, "all")
CATEGORIES = (
    "source",
    "districts",
    "organizations",
    "organizations~",
    "agreements",
    "agreements~",
    "figures",
    "figures~",
    "dates",
)
FIGURE_FIELDS = ("qualifier", "subject", "as_of", "district", "organization")


# --------------------------------------------------------------------------
# Normalising names, counts and units


ARTICLES = re.compile(r"\b(the|a|an)\b")
PARENTHESISED = re.compile(r"[(（][^()（）]*[)）]")
POSSESSIVE = re.compile(r"['’]s\b")
# Classifiers and the "more than" particles that can lead a Chinese count.
LEADING_CLASSIFIERS = re.compile(r"^(?:[余多]?[个家名位项所座条件批套只人次])+")


def _fold(text):
    text = unicodedata.normalize("NFKC", text or "").lower()
    return text.replace("’", "'")


def _squash(text):
    """Keep letters, digits and CJK characters only."""
    return "".join(ch for ch in text if ch.isalnum())


def name_keys(name):
    """Return the normalised forms under which ``name`` matches another."""
    folded = _fold(name)
    keys = set()
    for variant in (folded, PARENTHESISED.sub(" ", folded)):
        variant = POSSESSIVE.sub("", variant)
        variant = ARTICLES.sub(" ", variant)
        key = _squash(variant)
        if key:
            keys.add(key)
    return keys


def names_equal(a, b):
    return bool(name_keys(a) & name_keys(b))


def counts_key(counts):
    text = _fold(counts)
    text = ARTICLES.sub(" ", text)
    # Plural endings, word by word: "workstations for academics" ~ "workstation".
    text = re.sub(r"(?<=[a-z])(?:ies)\b", "y", text)
    text = re.sub(r"(?<=[a-z]{2})s\b", "", text)
    text = _squash(text)
    return LEADING_CLASSIFIERS.sub("", text)


HEAD_STOP = re.compile(
    r"\b(?:of|for|from|in|at|with|by|to|led|founded|who|which|that|under)\b"
)


def head_noun(counts):
    """Return the English head noun: "workstations for academics" -> workstation."""
    words = HEAD_STOP.split(ARTICLES.sub(" ", _fold(counts)), maxsplit=1)[0].split()
    return counts_key(words[-1]) if words else ""


def counts_match(expected, proposed):
    a, b = counts_key(expected), counts_key(proposed)
    if not a or not b:
        # "人", "名": nothing left to compare; value and the rest decide.
        return True
    if a in b or b in a:
        return True
    head = head_noun(expected)
    return bool(head) and head.isascii() and head == head_noun(proposed)


CURRENCIES = (
    ("USD", ("usd", "us$", "dollar", "美元", "$")),
    ("EUR", ("eur", "euro", "欧元", "€")),
    ("HKD", ("hkd", "hk$", "港元", "港币")),
    ("CNY", ("cny", "rmb", "yuan", "renminbi", "人民币", "元", "¥", "￥")),
)


def unit_key(unit):
    """Return a currency code, another unit folded, or None."""
    if unit is None or not str(unit).strip():
        return None
    folded = _fold(str(unit)).strip()
    for code, words in CURRENCIES:
        if any(word in folded for word in words):
            return code
    return folded


def is_currency(unit):
    return unit_key(unit) in {code for code, _ in CURRENCIES}


def values_equal(a, b):
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 1e-6 * max(1.0, abs(a))


def squash_space(text):
    return re.sub(r"\s+", " ", text or "").strip()


# --------------------------------------------------------------------------
# The JSON contract


def contract_problems(data):
    """Return what in ``data`` breaks the contract of propose_records --format json."""
    problems = []

    def need(obj, key, types, where, nullable=False):
        if not isinstance(obj, dict) or key not in obj:
            problems.append(f"{where}: no {key!r}")
            return
        value = obj[key]
        if value is None and nullable:
            return
        if not isinstance(value, types) or isinstance(value, bool):
            problems.append(f"{where}: {key!r} is {value!r}")

    def date(obj, key, where):
        need(obj, key, str, where, nullable=True)
        value = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            problems.append(f"{where}: {key!r} is not YYYY-MM-DD: {value!r}")

    if not isinstance(data, dict):
        return ["not a JSON object"]
    for key in ("source", "districts", "organizations", "agreements", "figures"):
        if key not in data:
            problems.append(f"no {key!r}")
    source = data.get("source") or {}
    need(source, "title", str, "source")
    date(source, "published_on", "source")
    if source.get("language") not in LANGUAGES:
        problems.append(f"source: language is {source.get('language')!r}")
    if not isinstance(data.get("districts", []), list) or not all(
        isinstance(d, str) for d in data.get("districts", [])
    ):
        problems.append("districts: not a list of slugs")
    for i, org in enumerate(data.get("organizations") or []):
        where = f"organizations[{i}]"
        need(org, "name", str, where)
        need(org, "organization", str, where, nullable=True)
        need(org, "evidence", str, where)
    for i, agreement in enumerate(data.get("agreements") or []):
        where = f"agreements[{i}]"
        need(agreement, "name", str, where)
        date(agreement, "signed_on", where)
        need(agreement, "evidence", str, where)
        need(agreement, "parties", list, where)
        for j, party in enumerate(agreement.get("parties") or []):
            need(party, "name", str, f"{where}.parties[{j}]")
            need(party, "organization", str, f"{where}.parties[{j}]", nullable=True)
    for i, figure in enumerate(data.get("figures") or []):
        where = f"figures[{i}]"
        need(figure, "value", (int, float), where)
        if figure.get("qualifier") not in QUALIFIERS:
            problems.append(f"{where}: qualifier is {figure.get('qualifier')!r}")
        need(figure, "counts", str, where)
        for key in ("subject", "unit", "district", "organization"):
            need(figure, key, str, where, nullable=True)
        date(figure, "as_of", where)
        need(figure, "evidence", str, where)
    return problems


# --------------------------------------------------------------------------
# Scoring


class Tally:
    """True positives, false positives and false negatives, with their cases."""

    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def add(self, tp=0, fp=0, fn=0):
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def merge(self, other):
        self.add(other.tp, other.fp, other.fn)

    @property
    def precision(self):
        found = self.tp + self.fp
        return self.tp / found if found else None

    @property
    def recall(self):
        wanted = self.tp + self.fn
        return self.tp / wanted if wanted else None


def align(expected, proposed, matches, score=lambda e, p: 0):
    """Pair expected and proposed items one to one.

    ``matches(e, p)`` says whether they can pair; among those, pairs with the
    higher ``score`` are taken first, then the earlier ones. Return the pairs
    and the indices left over on each side.
    """
    candidates = [
        (-score(e, p), i, j)
        for i, e in enumerate(expected)
        for j, p in enumerate(proposed)
        if matches(e, p)
    ]
    candidates.sort()
    used_e, used_p, pairs = set(), set(), []
    for _, i, j in candidates:
        if i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        pairs.append((i, j))
    left_e = [i for i in range(len(expected)) if i not in used_e]
    left_p = [j for j in range(len(proposed)) if j not in used_p]
    return pairs, left_e, left_p


def field_tally(tally, expected, proposed):
    """Score one field of an aligned pair: a wrong value is both FP and FN."""
    if expected is not None and expected == proposed:
        tally.add(tp=1)
        return True
    if proposed is not None:
        tally.add(fp=1)
    if expected is not None:
        tally.add(fn=1)
    return expected == proposed


def org_strict(e, p):
    if e.get("organization"):
        return p.get("organization") == e["organization"]
    return not p.get("organization") and names_equal(e["name"], p.get("name", ""))


def org_loose(e, p):
    if e.get("organization") and p.get("organization") == e["organization"]:
        return True
    return names_equal(e["name"], p.get("name", ""))


def party_match(e, p):
    if e.get("organization") and p.get("organization") == e["organization"]:
        return True
    return names_equal(e.get("name", ""), p.get("name", ""))


def parties_equal(e, p):
    ep, pp = e.get("parties") or [], p.get("parties") or []
    if len(ep) != len(pp):
        return False
    pairs, _, _ = align(ep, pp, party_match)
    return len(pairs) == len(ep)


def figure_found(e, p):
    if not values_equal(e["value"], p.get("value")):
        return False
    if unit_key(e.get("unit")) != unit_key(p.get("unit")):
        return False
    if is_currency(e.get("unit")):
        return True
    return counts_match(e.get("counts", ""), p.get("counts") or "")


def figure_right(e, p):
    return all(e.get(key) == p.get(key) for key in ("qualifier", "subject", "as_of"))


def figure_score(e, p):
    return sum(e.get(key) == p.get(key) for key in FIGURE_FIELDS)


def describe_figure(f):
    unit = f" {f['unit']}" if f.get("unit") else ""
    bits = [
        f"{f.get('value')}{unit} {f.get('qualifier')} {f.get('counts')!r}",
        f"subject={f.get('subject')}",
        f"as_of={f.get('as_of')}",
    ]
    if f.get("district"):
        bits.append(f"district={f['district']}")
    if f.get("organization"):
        bits.append(f"org={f['organization']}")
    return " ".join(bits)


def describe_org(o):
    return f"{o.get('name')!r} ({o.get('organization') or 'new'})"


def describe_agreement(a):
    parties = " + ".join(describe_org(p) for p in a.get("parties") or [])
    return f"{parties} signed_on={a.get('signed_on')}"


class ReportScore:
    """The tallies of one report, and what to say about its misses."""

    def __init__(self, name, text):
        self.name = name
        self.language = name.split("_")[0]
        self.text = squash_space(text)
        self.tallies = defaultdict(Tally)
        self.fields = defaultdict(Tally)
        self.evidence = Counter()
        self.notes = []
        self.other_numbers = []
        self.error = None

    def note(self, kind, text):
        self.notes.append((kind, text))

    def score(self, expected, proposed):
        self._source(expected["source"], proposed.get("source") or {})
        self._districts(expected["districts"], proposed.get("districts") or [])
        self._organizations(
            expected["organizations"], proposed.get("organizations") or []
        )
        self._agreements(expected["agreements"], proposed.get("agreements") or [])
        self._figures(expected["figures"], proposed.get("figures") or [])
        for key in ("organizations", "agreements", "figures"):
            for item in proposed.get(key) or []:
                evidence = squash_space(
                    item.get("evidence") if isinstance(item, dict) else ""
                )
                if evidence and evidence not in self.text:
                    self.evidence["not in text"] += 1
                    self.note(
                        "evidence", f"{key}: not in the report: {evidence[:80]!r}"
                    )

    def miss_all(self, expected):
        """The extractor gave nothing: everything expected is missed."""
        self.score(expected, {})

    def _source(self, expected, proposed):
        tally = self.tallies["source"]
        for key in ("language", "published_on"):
            if not field_tally(tally, expected[key], proposed.get(key)):
                self.note(
                    "miss",
                    f"source {key}: expected {expected[key]}, got {proposed.get(key)}",
                )

    def _districts(self, expected, proposed):
        tally = self.tallies["districts"]
        expected, proposed = set(expected), set(proposed)
        tally.add(
            tp=len(expected & proposed),
            fp=len(proposed - expected),
            fn=len(expected - proposed),
        )
        for slug in sorted(expected - proposed):
            self.note("miss", f"district {slug}")
        for slug in sorted(proposed - expected):
            self.note("false", f"district {slug}")

    def _organizations(self, expected, proposed):
        pairs, left_e, left_p = align(expected, proposed, org_strict)
        self.tallies["organizations"].add(tp=len(pairs), fp=len(left_p), fn=len(left_e))
        loose, _, _ = align(expected, proposed, org_loose)
        self.tallies["organizations~"].add(
            tp=len(loose), fp=len(proposed) - len(loose), fn=len(expected) - len(loose)
        )
        for i in left_e:
            near = [p for p in proposed if org_loose(expected[i], p)]
            hint = f"  (proposed as {describe_org(near[0])})" if near else ""
            self.note("miss", f"organization {describe_org(expected[i])}{hint}")
        for j in left_p:
            self.note("false", f"organization {describe_org(proposed[j])}")

    def _agreements(self, expected, proposed):
        pairs, left_e, left_p = align(expected, proposed, parties_equal)
        self.tallies["agreements~"].add(tp=len(pairs), fp=len(left_p), fn=len(left_e))
        right = 0
        for i, j in pairs:
            e, p = expected[i], proposed[j]
            field_tally(self.tallies["dates"], e["signed_on"], p.get("signed_on"))
            self._evidence(e, p)
            if e["signed_on"] == p.get("signed_on"):
                right += 1
            else:
                self.note(
                    "miss",
                    f"agreement {describe_agreement(e)}: "
                    f"signed_on proposed as {p.get('signed_on')}",
                )
        wrong = len(pairs) - right
        self.tallies["agreements"].add(
            tp=right, fp=len(left_p) + wrong, fn=len(left_e) + wrong
        )
        for i in left_e:
            self.note("miss", f"agreement {describe_agreement(expected[i])}")
        for j in left_p:
            self.note("false", f"agreement {describe_agreement(proposed[j])}")

    def _figures(self, expected, proposed):
        counted = []
        for p in proposed:
            if (
                p.get("unit")
                and not is_currency(p.get("unit"))
                and p.get("value") is not None
            ):
                # Not a count and not money: an area, a share, an age. Not scored.
                self.other_numbers.append(p)
            else:
                counted.append(p)
        proposed = counted
        pairs, left_e, left_p = align(expected, proposed, figure_found, figure_score)
        self.tallies["figures~"].add(tp=len(pairs), fp=len(left_p), fn=len(left_e))
        right = 0
        for i, j in pairs:
            e, p = expected[i], proposed[j]
            field_tally(self.tallies["dates"], e["as_of"], p.get("as_of"))
            for key in FIGURE_FIELDS:
                field_tally(self.fields[key], e.get(key), p.get(key))
            self._evidence(e, p)
            if figure_right(e, p):
                right += 1
                wrong_fields = [
                    k for k in ("district", "organization") if e.get(k) != p.get(k)
                ]
                if wrong_fields:
                    self.note(
                        "field",
                        f"figure {describe_figure(e)}: "
                        + ", ".join(
                            f"{k} proposed as {p.get(k)}" for k in wrong_fields
                        ),
                    )
            else:
                wrong = [
                    f"{k} proposed as {p.get(k)}"
                    for k in ("qualifier", "subject", "as_of")
                    if e.get(k) != p.get(k)
                ]
                self.note("miss", f"figure {describe_figure(e)}: {', '.join(wrong)}")
        wrong = len(pairs) - right
        self.tallies["figures"].add(
            tp=right, fp=len(left_p) + wrong, fn=len(left_e) + wrong
        )
        for i in left_e:
            e = expected[i]
            near = [p for p in proposed if values_equal(e["value"], p.get("value"))]
            hint = f"  (nearest: {describe_figure(near[0])})" if near else ""
            self.note("miss", f"figure {describe_figure(e)}{hint}")
        for j in left_p:
            p = proposed[j]
            evidence = squash_space(p.get("evidence"))[:90]
            self.note("false", f"figure {describe_figure(p)}  <- {evidence!r}")

    def _evidence(self, e, p):
        if squash_space(e.get("evidence")) == squash_space(p.get("evidence")):
            self.evidence["expected sentence"] += 1
        else:
            self.evidence["other text"] += 1


# --------------------------------------------------------------------------
# The set


def load_set(directory, only=()):
    """Return [(name, text, meta, expected)] for the reports in ``directory``."""
    reports = []
    for path in sorted(directory.glob("*.txt")):
        name = path.stem
        if only and name not in only:
            continue
        meta_path, expected_path = (
            path.with_suffix(".meta.json"),
            path.with_suffix(".json"),
        )
        if not meta_path.exists() or not expected_path.exists():
            raise SystemExit(
                f"{path.name}: needs {meta_path.name} and {expected_path.name}"
            )
        reports.append(
            (
                name,
                path.read_text(encoding="utf-8"),
                json.loads(meta_path.read_text(encoding="utf-8")),
                json.loads(expected_path.read_text(encoding="utf-8")),
            )
        )
    if only and len(reports) != len(set(only)):
        missing = set(only) - {r[0] for r in reports}
        raise SystemExit(f"No such report: {', '.join(sorted(missing))}")
    return reports


def check_set(reports):
    """Return the problems of the expected files themselves (the set's own test)."""
    from programs.models import AnnouncedFigure, District, Organization

    districts = set(District.objects.values_list("slug", flat=True))
    organizations = set(Organization.objects.values_list("slug", flat=True))
    subjects = set(AnnouncedFigure.Subject.values)
    problems = []
    for name, text, meta, expected in reports:
        text = squash_space(text)

        def say(message, name=name):
            problems.append(f"{name}: {message}")

        for problem in contract_problems(expected):
            say(problem)
        if set(meta) != {"published_on", "outlet", "url"}:
            say(f"meta has {sorted(meta)}")
        if expected["source"]["published_on"] != meta["published_on"]:
            say("source.published_on differs from the meta's")
        if expected["source"]["language"] != name.split("_")[0]:
            say("source.language differs from the file name's")
        for slug in expected["districts"]:
            if slug not in districts:
                say(f"unknown district {slug}")
        items = [
            *expected["organizations"],
            *expected["agreements"],
            *expected["figures"],
        ]
        for item in items:
            if squash_space(item["evidence"]) not in text:
                say(f"evidence not in the text: {item['evidence'][:60]!r}")
        for org in expected["organizations"]:
            if org["name"] not in text:
                say(f"organization not written as {org['name']!r}")
        for item in [*expected["organizations"], *expected["figures"]] + [
            party for a in expected["agreements"] for party in a["parties"]
        ]:
            if item.get("organization") and item["organization"] not in organizations:
                say(f"unknown organization {item['organization']}")
        for figure in expected["figures"]:
            if figure["subject"] is not None and figure["subject"] not in subjects:
                say(f"unknown subject {figure['subject']}")
            if figure["district"] and figure["district"] not in districts:
                say(f"unknown district {figure['district']}")
    return problems


# --------------------------------------------------------------------------
# Running the extractor


def run_in_process(path, meta):
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    args = command_args(path, meta)
    # The command may print() rather than write to self.stdout: catch both.
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        call_command(COMMAND, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_subprocess(path, meta, env):
    result = subprocess.run(
        [
            sys.executable,
            str(BASE_DIR / "manage.py"),
            COMMAND,
            *command_args(path, meta),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=BASE_DIR,
        timeout=300,
    )
    if result.returncode:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"exit {result.returncode}: {last}")
    return result.stdout, result.stderr


def command_args(path, meta):
    args = [str(path), "--published-on", meta["published_on"], "--format", "json"]
    if meta.get("url"):
        args += ["--url", meta["url"]]
    if meta.get("outlet"):
        args += ["--outlet", meta["outlet"]]
    return args


def parse_output(stdout):
    """Return the one JSON object the command printed."""
    stdout = stdout.strip()
    try:
        return json.loads(stdout)
    except json.JSONDecodeError:
        pass
    # Lenient about noise around it, but say so: the contract is one object only.
    start, end = stdout.find("{"), stdout.rfind("}")
    if start == -1 or end < start:
        raise ValueError("no JSON object on stdout")
    data = json.loads(stdout[start : end + 1])
    return data, "stdout holds more than the JSON object"


# --------------------------------------------------------------------------
# The table


def fmt_ratio(value):
    return "   -  " if value is None else f"{value:6.1%}"


def print_table(title, rows, tallies):
    """Print rows x (en, zh, all) with P, R and TP/FP/FN."""
    width = max(len(title), *(len(row) for row in rows))
    head = f"{title:<{width}}"
    for scope in SCOPES:
        head += f" | {scope:<3} {'P':>6} {'R':>6} {'tp/fp/fn':>11}"
    print(head)
    print("-" * len(head))
    for row in rows:
        line = f"{row:<{width}}"
        for scope in SCOPES:
            t = tallies[scope][row]
            line += (
                f" |     {fmt_ratio(t.precision)} {fmt_ratio(t.recall)} "
                f"{f'{t.tp}/{t.fp}/{t.fn}':>11}"
            )
        print(line)


def summarise(scores):
    tallies = {scope: defaultdict(Tally) for scope in SCOPES}
    fields = {scope: defaultdict(Tally) for scope in SCOPES}
    for score in scores:
        for scope in (score.language, "all"):
            for key, tally in score.tallies.items():
                tallies[scope][key].merge(tally)
            for key, tally in score.fields.items():
                fields[scope][key].merge(tally)
    return tallies, fields


def report(scores, verbose):
    if verbose:
        for score in scores:
            print(
                f"\n== {score.name}"
                + (f"  ERROR: {score.error}" if score.error else "")
            )
            for kind, text in score.notes:
                label = {
                    "miss": "MISS ",
                    "false": "FALSE",
                    "field": "FIELD",
                    "evidence": "EVID ",
                    "contract": "CONTR",
                }[kind]
                print(f"  {label} {text}")
            for p in score.other_numbers:
                print(f"  OTHER {describe_figure(p)} (not a count: not scored)")
        print()

    tallies, fields = summarise(scores)
    counts = Counter(score.language for score in scores)
    print(
        f"propose_records on {len(scores)} reports "
        f"({counts['en']} English, {counts['zh']} Chinese)\n"
    )
    print_table("category", CATEGORIES, tallies)
    print()
    print_table("figure fields (found)", FIGURE_FIELDS, fields)
    print()
    evidence = Counter()
    other = 0
    for score in scores:
        evidence.update(score.evidence)
        other += len(score.other_numbers)
    cited = evidence["expected sentence"] + evidence["other text"]
    print(
        f"evidence: {evidence['expected sentence']} of {cited} agreements and figures "
        f"found cite the expected sentence; {evidence['not in text']} proposals cite "
        "text not in their report."
    )
    print(f"other numbers (a unit that is not a currency: not scored): {other}")
    failed = [score for score in scores if score.error]
    if failed:
        print(f"\n{len(failed)} report(s) failed and count as all missed:")
        for score in failed:
            print(f"  {score.name}: {score.error}")
    broken = [s for s in scores if any(kind == "contract" for kind, _ in s.notes)]
    if broken:
        print(
            f"\n{len(broken)} report(s) broke the JSON contract: "
            + ", ".join(s.name for s in broken)
            + " (--verbose says how)."
        )
    return tallies, fields


def as_json(tallies, fields):
    def dump(table):
        return {
            scope: {
                key: {
                    "tp": t.tp,
                    "fp": t.fp,
                    "fn": t.fn,
                    "precision": t.precision,
                    "recall": t.recall,
                }
                for key, t in rows.items()
            }
            for scope, rows in table.items()
        }

    return {"categories": dump(tallies), "figure_fields": dump(fields)}


# --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.intake",
        description=(
            "Run propose_records on the blind report set and print precision and "
            "recall per category, per language and overall."
        ),
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="Print every miss and false positive.",
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=REPORTS_DIR,
        help="The set (default: %(default)s).",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=(),
        metavar="NAME",
        help="Score these reports only (en_01 ...).",
    )
    parser.add_argument(
        "--subprocess",
        action="store_true",
        help="Run `manage.py propose_records` in a child process per report.",
    )
    parser.add_argument(
        "--json", type=Path, metavar="PATH", help="Also write the scores as JSON here."
    )
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="Check the expected files against the contract and the seeds, and stop.",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    reports = load_set(args.reports, set(args.only))
    if not reports:
        print(f"No reports in {args.reports}.")
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="talentzone-intake-"))
    try:
        # A throw-away database, whatever the environment points at.
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'intake.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "talentzone.settings"
        import django

        django.setup()
        from django.core.management import call_command, get_commands

        quiet = io.StringIO()
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("load_seeds", stdout=quiet)

        problems = check_set(reports)
        if problems:
            print("The expected files have problems:")
            for problem in problems:
                print(f"  {problem}")
            return 3
        if args.check_only:
            print(
                f"{len(reports)} expected files keep the contract and name known slugs."
            )
            return 0

        if COMMAND not in get_commands():
            print(
                f"Cannot score: there is no `manage.py {COMMAND}` command yet "
                f"(no programs/management/commands/{COMMAND}.py in any installed app). "
                f"The {len(reports)} expected files were checked and are in order."
            )
            return 2

        env = {**os.environ}
        scores = []
        for name, text, meta, expected in reports:
            score = ReportScore(name, text)
            path = args.reports / f"{name}.txt"
            try:
                if args.subprocess:
                    stdout, _ = run_subprocess(path, meta, env)
                else:
                    stdout, _ = run_in_process(path, meta)
                parsed = parse_output(stdout)
                if isinstance(parsed, tuple):
                    parsed, warning = parsed
                    score.note("contract", warning)
                for problem in contract_problems(parsed):
                    score.note("contract", problem)
                score.score(expected, parsed if isinstance(parsed, dict) else {})
            # One report's failure is scored (all missed), not fatal.
            except (Exception, SystemExit) as exc:
                score = ReportScore(name, text)
                score.error = f"{type(exc).__name__}: {exc}".strip()[:300]
                score.miss_all(expected)
            scores.append(score)
            if args.verbose:
                print(f"ran {name}", file=sys.stderr)

        tallies, fields = report(scores, args.verbose)
        if args.json:
            args.json.write_text(json.dumps(as_json(tallies, fields), indent=2) + "\n")
        return 0
    finally:
        from django.db import connections

        with contextlib.suppress(Exception):
            connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
