"""
Two-character Chinese words, found through an index on PostgreSQL.

The trigram indexes (migrations 0003 and 0014) look up three-character
pieces, so a word of two characters, as most Chinese words are (青浦, 光伏),
has none: PostgreSQL scanned every searched table for it, about 0.5 s at
100,000 records even for a word on a few dozen of them. Migration 0016
indexes, per table, the set of pairs of adjacent Chinese characters in its
searched fields (the SQL function ``talentzone_cjk_pairs``, over the fields
joined by spaces). A two-character Chinese word is then looked up as a member
of that set, which finds exactly the rows ``icontains`` finds: two Chinese
characters stand side by side in a field exactly when they are one of its
pairs, no pair spans two fields, and Chinese has no upper and lower case.

Other databases, and every other word, keep ``icontains``.
"""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

# The CJK Unified Ideographs, their extension A and the compatibility block:
# what the index's SQL function counts as a Chinese character, and this too.
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Slugs are ASCII (SlugField), so they never hold a Chinese word.
ASCII_ONLY_FIELDS = frozenset({"slug"})


def is_chinese(character):
    return any(start <= ord(character) <= end for start, end in CJK_RANGES)


def is_chinese_pair(word):
    """Return True if ``word`` is two Chinese characters, as 青浦 is."""
    return len(word) == 2 and all(is_chinese(character) for character in word)


def word_condition(fields, word):
    """Return a Q matching records with ``word`` in any of ``fields``.

    ``icontains`` everywhere, but on PostgreSQL a two-character Chinese word
    is looked up in the table's pair index instead, with the same matches.
    """
    if connection.vendor == "postgresql" and is_chinese_pair(word):
        return Q(ChinesePairsContain(indexed_fields(fields), word))
    return Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR)


def indexed_fields(fields):
    """Return the fields migration 0016 indexes, of a FilterSet's ``fields``."""
    return [field for field in fields if field not in ASCII_ONLY_FIELDS]


class ChinesePairsContain(Func):
    """True where ``word`` is a pair of adjacent Chinese characters in ``fields``.

    Written as the expression migration 0016 indexes (the same fields, in the
    same order, joined by spaces), so that PostgreSQL answers it from that
    index. Only ``word_condition`` uses it, and only on PostgreSQL.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, fields, word):
        super().__init__(*(F(field) for field in fields), Value(word))

    def as_postgresql(self, compiler, connection, **extra_context):
        *fields, word = self.get_source_expressions()
        parts, params = [], []
        for field in fields:
            sql, field_params = compiler.compile(field)
            parts.append(f"({sql})::text")
            params.extend(field_params)
        word_sql, word_params = compiler.compile(word)
        text = " || ' ' || ".join(parts)
        sql = f"talentzone_cjk_pairs({text}) @> ARRAY[{word_sql}]::text[]"
        return sql, (*params, *word_params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError("Chinese pairs are looked up on PostgreSQL only")
