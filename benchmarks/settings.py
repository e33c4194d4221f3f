"""
The settings the benchmark server runs with: the site's own, plus the ceiling.

Everything is ``talentzone.settings`` as the environment configures it; only
the URLconf differs, adding ``/_bench/ceiling/`` beside the site. A real site
never loads this module, so it never routes the ceiling.
"""

from talentzone.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
