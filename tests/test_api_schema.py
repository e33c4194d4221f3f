"""The API against its own OpenAPI schema, by Schemathesis.

Property-based: for every operation of /api/schema/, reads anonymously and
writes with a superuser's token, Schemathesis makes requests from the schema
(valid and invalid) and checks every answer: no server error, and status,
content type, headers and body as the schema says. It runs in-process on the
test database, which holds the seeded records, so reads find real slugs.
"""

import json
from io import StringIO

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from programs.models import ApiToken

from . import factories as f

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Per operation: enough to try each filter, body field and error path.
EXAMPLES = 8


def load_schema():
    """The schema /api/schema/ serves, made directly: at collection no request
    can be made yet with the test settings."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(document))
    )


schema = load_schema()


@pytest.fixture
def connection_kept():
    """Keep the test's database connection across the app's requests, as
    Django's test client does: a WSGI handler's request signals would close
    it, being inside the test's transaction, and take its rows with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db):
    call_command("load_seeds", stdout=StringIO())


@pytest.fixture
def staff_key(db):
    _token, key = ApiToken.issue(f.make_staff("schemathesis", is_superuser=True), "ci")
    return key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_to_its_schema(case, seeded, staff_key, connection_kept):
    # A handler of this test's own: its middleware reads the settings the
    # test runs under (plain HTTP) when it is made.
    app = case.operation.schema.app = WSGIHandler()
    headers = {}
    if case.method.upper() not in ("GET", "HEAD", "OPTIONS"):
        headers["Authorization"] = f"Bearer {staff_key}"
    case.call_and_validate(headers=headers, checks=CHECKS, app=app)
