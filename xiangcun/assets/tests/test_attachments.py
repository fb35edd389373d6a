"""Uploaded attachments are served as downloads of a type that never runs: a script or page uploaded as
an attachment cannot be loaded by <script src> or rendered as a page of the site."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiangcun.assets.tests.test_views import two  # noqa: F401  (an asset in 松岗村 and one in 党坝村)
from xiangcun.core.downloads import content_type_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"\x00" * 32
SCRIPT = b"window.top.__xss = 1;"
PAGE = b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize("name, content, expected", [
    ("照片.png", PNG, "image/png"), ("扫描件.JPG", JPEG, "image/jpeg"), ("评估报告.pdf", PDF, "application/pdf"),
    ("evil.js", SCRIPT, "application/octet-stream"), ("page.html", PAGE, "application/octet-stream"),
    ("page.svg", b"<svg onload=alert(1)>", "application/octet-stream"),
    ("fake.png", PAGE, "application/octet-stream"),   # named like a photo, but holds a page
    ("fake.pdf", SCRIPT, "application/octet-stream"), ("无扩展名", SCRIPT, "application/octet-stream"),
])
def test_an_attachment_is_a_download_whose_type_cannot_run(client, cast, two, settings, tmp_path,
                                                           name, content, expected):
    settings.MEDIA_ROOT = tmp_path
    sg, _ = two
    client.force_login(cast["caizheng"])
    client.post(f"/assets/{sg.pk}/attachments/", {"kind": "photo", "file": SimpleUploadedFile(name, content)})
    att = sg.attachments.get()
    response = client.get(f"/assets/attachments/{att.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert response["Content-Type"] == expected
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]


def test_the_type_needs_both_the_name_and_the_bytes():
    assert content_type_for("a.png", PNG) == "image/png"
    assert content_type_for("a.jpg", PNG) == "application/octet-stream"
    assert content_type_for("a.txt", PNG) == "application/octet-stream"
