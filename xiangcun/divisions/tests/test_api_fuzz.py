"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis): no generated input
gives a server error, for every operation in the schema."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from xiangcun.accounts.models import Role
from xiangcun.wsgi import application


@pytest.fixture
def keep_connection():
    """Calling the WSGI app directly fires the request signals, whose handler would close the test's
    database connection mid-transaction (PostgreSQL); Django's own test client disconnects it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_generated_input_breaks_the_api(maerkang, make_user, keep_connection):
    token = Token.objects.create(user=make_user("fuzzer", Role.REFORM_OFFICE, maerkang)).key
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application,
                                            headers={"Authorization": f"Token {token}"})
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers={"Authorization": f"Token {token}"})
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, response.status_code))

        check()
    assert not failures, failures[:5]
