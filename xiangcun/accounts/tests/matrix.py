"""The permission matrix's data for the accounts module (see core/tests/test_matrix.py): what each URL is
called with and what a permitted user gets (`Case`), and the objects of its own kinds (`OBJECTS`)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "accounts:otp": Case(ok=302),  # without a pending sign-in: back to the login page
    "accounts:logout": Case(method="post", ok=302),
    "accounts:user_edit": Case(obj="user"),
    "accounts:user_phone": Case(obj="user"),
    "accounts:user_tokens_revoke": Case(obj="user", method="post", ok=302),
    "accounts:user_otp_reset": Case(obj="user", method="post", ok=302),
    "admin_login": Case(ok=302),  # the admin site signs in through accounts:login
}
