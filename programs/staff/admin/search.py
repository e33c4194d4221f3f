"""
The admin's search, written so that each table answers from its own indexes.

Django's admin search ORs an ``icontains`` per search field, related fields
too (an expert's ``appointed_by__name_en``): one WHERE across a join. On
PostgreSQL the trigram indexes (migrations 0003 and 0014) serve an OR of
their own table's columns, but not one that spans two tables, so the planner
scanned the joined tables instead: about a second per search at 100,000
experts. Here each word is matched as the primary keys of the records whose
own fields hold it, UNION those whose related records' fields hold it, each
part a query of one table, which its indexes serve.

A two-character Chinese word, which has no trigram, is also looked up in
the table's Chinese-pair index (migration 0016, ``programs/site/cjk.py``)
when the table has one covering every searched field: that narrows the rows
to those with the pair anywhere in its indexed fields, and ``icontains``
keeps those with it in the admin's fields. The matches are Django's own.

Words are split as Django splits them (quotes keep a phrase together) and
every word must match, as in Django. Search fields with a prefix (``^``,
``=``, ``@``) or a path of more than one relation are left to Django.
"""

from collections import defaultdict

from django.contrib.admin.options import LOOKUP_SEP
from django.db import connection
from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from ...kinds import KINDS
from ...site.cjk import ChinesePairsContain, indexed_fields, is_chinese_pair


def _pair_indexed_fields():
    """Return, by model, the fields its Chinese-pair index covers, in its order."""
    from ...api.filters import FigureFilterSet

    indexed = {kind.model: indexed_fields(kind.search_fields) for kind in KINDS}
    indexed[FigureFilterSet._meta.model] = indexed_fields(FigureFilterSet.search_fields)
    return indexed


def search_words(search_term):
    """Return the words of ``search_term`` as Django's admin reads them."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        words.append(bit)
    return words


def own_fields_condition(model, fields, word):
    """Return a Q matching the records of ``model`` with ``word`` in ``fields``."""
    condition = Q.create(
        [(f"{field}__icontains", word) for field in fields], connector=Q.OR
    )
    if connection.vendor == "postgresql" and is_chinese_pair(word):
        indexed = _pair_indexed_fields().get(model)
        if indexed and set(indexed_fields(fields)) <= set(indexed):
            condition &= Q(ChinesePairsContain(indexed, word))
    return condition


def matching_pks(model, fields, word):
    """Return a query of the primary keys of ``model`` whose ``fields`` hold
    ``word``: a UNION of one query per table searched."""
    own = [field for field in fields if LOOKUP_SEP not in field]
    related = defaultdict(list)
    for field in fields:
        if LOOKUP_SEP in field:
            relation, name = field.split(LOOKUP_SEP, 1)
            related[relation].append(name)
    manager = model._default_manager
    parts = []
    if own:
        parts.append(manager.filter(own_fields_condition(model, own, word)))
    for relation, names in related.items():
        field = model._meta.get_field(relation)
        target = field.related_model
        matches = target._default_manager.filter(
            own_fields_condition(target, names, word)
        ).values("pk")
        if field.many_to_one:
            parts.append(manager.filter(**{f"{relation}__in": matches}))
        else:  # many-to-many: through its link table, without the records
            through = field.remote_field.through._default_manager
            parts.append(
                through.filter(
                    **{f"{field.m2m_reverse_field_name()}__in": matches}
                ).values_list(field.m2m_field_name())
            )
    keys = [
        part.order_by().values_list("pk") if part.model is model else part.order_by()
        for part in parts
    ]
    return keys[0].union(*keys[1:]) if len(keys) > 1 else keys[0]


def indexable(model, search_fields):
    """Return True if each search field is a plain field of ``model``, or a
    plain field of a record one of its own foreign keys or many-to-many fields
    points at: what ``matching_pks`` writes one query per table for."""
    for name in search_fields:
        if name.startswith(("^", "=", "@")) or name.count(LOOKUP_SEP) > 1:
            return False
        if LOOKUP_SEP in name:
            field = model._meta.get_field(name.split(LOOKUP_SEP)[0])
            if field.auto_created or not (field.many_to_one or field.many_to_many):
                return False
    return True


def indexed_search(model, search_fields, queryset, search_term):
    """Return ``queryset`` narrowed to the records matching every word of
    ``search_term`` in ``search_fields``, or None if ``indexable`` says no.

    Each word is a condition on the record's own key, so no row comes twice:
    the admin need not remove duplicates.
    """
    if not search_fields or not indexable(model, search_fields):
        return None
    for word in search_words(search_term):
        queryset = queryset.filter(pk__in=matching_pks(model, search_fields, word))
    return queryset
