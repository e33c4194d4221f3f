"""
Sort keys that put names in pinyin order on Chinese pages.

A database orders text by code point (SQLite, and PostgreSQL under the C
collation): fine for English names, meaningless for Chinese ones, where
readers expect the order of a dictionary, by pinyin. So each record with
bilingual names stores a key made from them, and Chinese pages order by
``(key, Chinese name)``:

- a record with a Chinese name: its pinyin, toneless, lowercased, syllable by
  syllable with one space between syllables (青浦区 → ``qing pu qu``). The
  space sorts before every letter, so 西安 (``xi an``) comes before 先
  (``xian``), as in a dictionary, and 青浦 before 青浦区. Names read the same
  are then ordered by the Chinese name itself: the tiebreak is the second
  column of the order, not part of the key;
- a record with no Chinese name: its English name, lowercased, so that it
  falls among the Chinese names where a reader of pinyin would look for it
  (Shanghai Jiao Tong University next to 上海交通大学).

Letters and digits inside a Chinese name (G60科创走廊) stay as they are, in
lowercase. A character with more than one reading (a heteronym, such as 行
read xing or hang) gets the reading pypinyin finds most common, in context
where its phrase dictionary knows the word: a rare misplaced name is accepted
rather than a hand-kept list of exceptions.

The key is stored, not computed in the query, so that the order can use an
index. It is written on ``pre_save``, which ``loaddata``'s raw saves send too,
and by ``fill_sort_keys`` in the writes that send no signal (``bulk_create``
in ``generate_demo``; migration 0013 for the rows that were there before).
"""

import re
import unicodedata

from django.db.models.signals import pre_save
from django.utils.translation import get_language_from_path
from pypinyin import Style, lazy_pinyin

from .models.base import CHINESE, active_and_other_language

# key field: (Chinese field, English field) it is made from.
SORT_KEYS = {
    "name_pinyin": ("name_zh", "name_en"),
    "title_pinyin": ("title_zh", "title_en"),
}

# As long as the key fields; a longer key is cut, which only blurs the order
# of names that agree in their first hundred-odd syllables.
MAX_LENGTH = 400


# Apostrophes join what they stand in (O'Brien); other punctuation, Chinese
# or Latin (the · in 阿米莉亚·埃文斯, brackets, dashes), parts words.
APOSTROPHES = re.compile(r"['’]")
PUNCTUATION = re.compile(r"[^\w\s]|_")


def name_sort_key(chinese, english=""):
    """Return the key that sorts a record named ``chinese``/``english`` by pinyin."""
    if chinese and chinese.strip():
        text = " ".join(lazy_pinyin(chinese, style=Style.NORMAL))
    else:
        text = english or ""
    # NFKC first: full-width letters and digits (Ｇ６０) become plain ones.
    text = unicodedata.normalize("NFKC", text).lower()
    text = PUNCTUATION.sub(" ", APOSTROPHES.sub("", text))
    return " ".join(text.split())[:MAX_LENGTH]


def sort_key_fields(model):
    """Return ``(key, Chinese, English)`` field names for each key ``model`` has."""
    names = {field.name for field in model._meta.concrete_fields}
    return [
        (key, chinese, english)
        for key, (chinese, english) in SORT_KEYS.items()
        if key in names
    ]


def fill_sort_keys(record):
    """Set ``record``'s sort keys from its names; return the key fields set."""
    fields = sort_key_fields(type(record))
    for key, chinese, english in fields:
        setattr(
            record,
            key,
            name_sort_key(getattr(record, chinese), getattr(record, english)),
        )
    return [key for key, _chinese, _english in fields]


def fill_sort_keys_before_save(sender, instance, using=None, update_fields=None, **_):
    """Derive the sort keys on every save, raw fixture loads included.

    A ``save(update_fields=...)`` that writes a name writes its key with it.
    """
    keys = fill_sort_keys(instance)
    if update_fields is not None:
        written = set(update_fields)
        for key, chinese, english in sort_key_fields(sender):
            if key not in written and written & {chinese, english}:
                # update_fields is a frozenset: the key is written separately.
                sender._base_manager.using(using).filter(pk=instance.pk).update(
                    **{key: getattr(instance, key)}
                )
    return keys


def connect_signals(app_config):
    """Fill the sort keys on every save of each model that has them.

    Historical models (django-simple-history) have the fields too, and copy
    them from the record they snapshot; connecting them as well costs nothing.
    """
    for model in app_config.get_models():
        if sort_key_fields(model):
            pre_save.connect(
                fill_sort_keys_before_save,
                sender=model,
                dispatch_uid=f"fill-sort-keys-{model._meta.label_lower}",
            )


def fill_stored_sort_keys(model, using="default", batch_size=500):
    """Fill the sort keys of every stored row of ``model``; return rows changed.

    For migration 0013 (``model`` is then the historical model the migration
    hands over) and for anything that wrote names without a signal. Rows are
    written a batch at a time, so memory stays one batch whatever the table.
    """
    fields = sort_key_fields(model)
    if not fields:
        return 0
    keys = [key for key, _zh, _en in fields]
    rows = model._base_manager.using(using).only("pk", *(n for f in fields for n in f))
    total, last = 0, None
    # A batch at a time by primary key, not one cursor kept open over the
    # writes: SQLite does not isolate a cursor from its own connection's writes.
    while batch := list(
        (rows if last is None else rows.filter(pk__gt=last)).order_by("pk")[:batch_size]
    ):
        changed = []
        for row in batch:
            before = [getattr(row, key) for key in keys]
            fill_sort_keys(row)
            if before != [getattr(row, key) for key in keys]:
                changed.append(row)
        if changed:
            model._base_manager.using(using).bulk_update(changed, keys)
        total += len(changed)
        last = batch[-1].pk
    return total


def pinyin_terms(model):
    """Return {English name field: the fields Chinese pages order by instead}."""
    return {english: (key, chinese) for key, chinese, english in sort_key_fields(model)}


def chinese_page(request=None):
    """Return True if ``request`` is for a Chinese page (/zh-hans/...).

    The language in the path, not the active one: the API, outside the
    language prefixes, may run in Chinese for a client that asks for it, and
    its order stays the same for every client. Without a request, the active
    language decides.
    """
    if request is None:
        return active_and_other_language()[0] == CHINESE
    return (get_language_from_path(request.path_info) or "").startswith("zh")


def in_page_order(model, ordering, request=None):
    """Return the ``order_by`` terms ``ordering`` means on the page asked for.

    On Chinese pages an English-name term (``name_en``, ``-title_en``) becomes
    the pinyin key and the Chinese name, in the same direction; every other
    term, and every term on English pages, is kept as it is. So ``?sort=name_en``
    keeps meaning "by name" in either language.
    """
    if not chinese_page(request):
        return list(ordering)
    replacements = pinyin_terms(model)
    terms = []
    for term in ordering:
        name = term.removeprefix("-") if isinstance(term, str) else None
        if name in replacements:
            sign = "-" if term.startswith("-") else ""
            terms.extend(sign + field for field in replacements[name])
        else:
            terms.append(term)
    return terms
