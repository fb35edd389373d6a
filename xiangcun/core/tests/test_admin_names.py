"""The Django admin speaks Chinese: every app and table it lists has a Chinese name (third-party ones included)."""
import re

import pytest

from xiangcun.accounts.models import Role


@pytest.mark.django_db
def test_the_admin_index_lists_every_app_and_table_in_chinese(client, make_user):
    client.force_login(make_user("root", Role.ADMIN, None, is_superuser=True, is_staff=True))
    html = client.get("/admin/").content.decode()
    names = re.findall(r'<caption>\s*<a[^>]*>([^<]+)</a>', html) + re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>([^<]+)</a>', html)
    assert names, "the admin index lists nothing"
    english = [n for n in names if re.search(r"[A-Za-z]{3,}", n)]
    assert not english, f"English names in the admin: {english}"
    assert "登录失败记录" in html
