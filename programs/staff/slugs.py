"""
Slugs that never collide by accident.

A slug is a record's address (``/experts/zhang-wei/``) and its key in
fixtures and imports. Two experts may well share a name: in China that is the
normal case, so a name's slug that is taken gets ``-2``, ``-3``... instead of
an error. A slug made from a Chinese name is its pinyin. Staff may still type
a slug of their own (one that is taken is then an error, as they chose it),
and a saved slug never changes by itself: links to it keep working.
"""

from django.utils.text import slugify
from pypinyin import lazy_pinyin

# The longest slug a record holds (Record.slug).
MAX_LENGTH = 120
# Room for "-" and a number of a few digits.
SUFFIX_ROOM = 6


def slug_from_names(english, chinese=""):
    """Return the slug for a record so named: its English name, else pinyin.

    "" when neither name has a letter or digit to make one from.
    """
    slug = slugify(english or "")
    if not slug:
        # No Latin letter or digit: the Chinese name, or Chinese typed as the
        # English one, read in pinyin.
        slug = slugify(" ".join(lazy_pinyin(chinese or english or "")))
    return slug[: MAX_LENGTH - SUFFIX_ROOM].strip("-")


def unique_slug(model, base):
    """Return ``base``, or the first of ``base-2``, ``base-3``... no record holds.

    Every record of ``model`` counts, drafts and archived ones too: their
    addresses are taken. One query.
    """
    taken = set(
        model._default_manager.filter(slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
