"""Property-based testing of the API against its own OpenAPI schema (schemathesis), for every operation
in the schema: no generated input gives a server error, every answer's status code, content type and
body are what the schema documents, valid requests are accepted and invalid ones rejected."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from xiangcun.accounts import tokens
from xiangcun.accounts.models import Role
from xiangcun.wsgi import application

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
# Valid input (by the schema: limits, enums, date ranges are declared) must be accepted, and invalid input (a value
# outside its enum or range, a malformed date …) refused. A record referenced by an id that does not exist answers 404.
MODES = {GenerationMode.POSITIVE: CHECKS + [checks.positive_data_acceptance],
         GenerationMode.NEGATIVE: CHECKS + [checks.negative_data_rejection]}
# Operations whose valid-by-schema input may break a rule across fields and records that no schema can state; they
# answer 400 naming the rule, and are held to every other check.
DOMAIN_RULES = {
    ("POST", "/api/v1/service-points/"): "便民服务中心应设在乡镇(街道)、代办点设在村:点的类别与所在单位的层级",
}


@pytest.fixture
def keep_connection():
    """Calling the WSGI app directly fires the request signals, whose handler would close the test's
    database connection mid-transaction (PostgreSQL); Django's own test client disconnects it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_keeps_its_contract_for_generated_input(maerkang, make_user, keep_connection):
    token = tokens.issue(make_user("fuzzer", Role.REFORM_OFFICE, maerkang))[1]
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, headers=headers)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = {}
    for operation in operations:
        if operation.path == "/api/v1/auth/token/":
            continue  # throttled (10/min): its contract is tested in accounts/tests
        for mode, mode_checks in MODES.items():
            key = (operation.method.upper(), operation.path, mode.value)
            if key[:2] in DOMAIN_RULES:
                mode_checks = [c for c in mode_checks if c is not checks.positive_data_acceptance]

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def check(case):  # called at once, inside this iteration: the loop variables are this iteration's
                try:
                    case.call_and_validate(headers=headers, checks=mode_checks)  # noqa: B023
                except (AssertionError, BaseExceptionGroup) as exc:  # noqa: B030 - schemathesis FailureGroup
                    failures.setdefault(key, str(exc)[:1500])  # noqa: B023

            check()
    assert not failures, "\n".join(map(str, failures)) + "\n\n" + "\n\n".join(
        f"{k}: {v}" for k, v in list(failures.items())[:8])
