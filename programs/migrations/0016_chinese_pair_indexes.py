"""An index per searched table that finds two-character Chinese words.

A trigram index has nothing to look up for a word of two characters, and most
Chinese words are two (青浦, 光伏); PostgreSQL scanned every searched table for
them. Here a function lists the pairs of adjacent Chinese characters in a
text, and each table gets a GIN index over the pairs of its searched fields
(all but the slug, which is ASCII), joined by a space so that no pair spans
two fields; programs/site/cjk.py writes a two-character Chinese word as
membership of that list, over the same fields in the same order.
tests/test_postgres.py keeps the lists in step with the FilterSets'
``search_fields``.

One expression per table rather than one per field: ANALYZE then knows how
often each pair occurs, from the Chinese fields, so the planner sees that a
rare word matches few rows (per field, the English fields' empty lists gave
it only a default guess, and it walked a whole list in name order instead).

The function is IMMUTABLE (it reads only its argument), as an index needs,
and returns at once for a text with no Chinese character.

SQLite keeps a plain substring match: nothing runs there.
"""

from django.db import migrations

SEARCH_FIELDS = {
    "district": (
        "name_en",
        "name_zh",
        "summary_en",
        "summary_zh",
        "city_en",
        "city_zh",
    ),
    "organization": ("name_en", "name_zh", "summary_en", "summary_zh"),
    "agreement": ("name_en", "name_zh", "summary_en", "summary_zh"),
    "project": ("name_en", "name_zh", "summary_en", "summary_zh"),
    "workstation": ("name_en", "name_zh", "summary_en", "summary_zh"),
    "expert": (
        "name_en",
        "name_zh",
        "summary_en",
        "summary_zh",
        "title_en",
        "title_zh",
    ),
    "entrepreneur": (
        "name_en",
        "name_zh",
        "summary_en",
        "summary_zh",
        "venture_en",
        "venture_zh",
        "country_or_region_en",
        "country_or_region_zh",
    ),
    "source": ("title_en", "title_zh", "outlet"),
    "announcedfigure": ("label_en", "label_zh"),
}

# The CJK Unified Ideographs, extension A and the compatibility block, as
# programs/site/cjk.py counts them.
CHINESE = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"

CREATE_FUNCTION = rf"""
CREATE OR REPLACE FUNCTION talentzone_cjk_pairs(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN $1 !~ '{CHINESE}' THEN '{{}}'::text[] ELSE ARRAY(
        SELECT DISTINCT pair
        FROM (
            SELECT substr($1, i, 2) AS pair
            FROM generate_series(1, char_length($1) - 1) AS i
        ) AS pairs
        WHERE pair ~ '^{CHINESE}{{2}}$'
    ) END
$$
"""


def index_name(model):
    return f"programs_{model}_chinese_pairs"


def searched_text(fields):
    """Return the SQL of ``fields`` as one text, a space between each two."""
    return " || ' ' || ".join(f"({field})::text" for field in fields)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    for model, fields in SEARCH_FIELDS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(model)} ON programs_{model} "
            f"USING gin (talentzone_cjk_pairs({searched_text(fields)}))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model in SEARCH_FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(model)}")
    schema_editor.execute("DROP FUNCTION IF EXISTS talentzone_cjk_pairs(text)")


class Migration(migrations.Migration):
    dependencies = [("programs", "0015_evidence_from_seeds")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
