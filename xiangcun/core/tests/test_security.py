"""Findings of the security review: redirects stay on the site; comparisons of editions stay within
the user's jurisdiction. (The reform office and administrators' accounts: accounts/tests.)"""
import pytest
from django.test import RequestFactory
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.core.models import Job
from xiangcun.core.redirects import safe_next
from xiangcun.divisions import services
from xiangcun.divisions.models import Proposal, ReconciliationRun


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "javascript:alert(1)",
    "http://testserver.evil.example/", " //evil.example",
])
def test_next_never_leads_off_the_site(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["/divisions/runs/3/?type=merge&page=2", "http://testserver/divisions/"])
def test_next_within_the_site_is_followed(target):
    assert safe_next(RequestFactory().post("/x/", {"next": target}), "/fallback/") == target


@pytest.fixture
def pending(maerkang, editions):
    run = services.run_reconciliation(editions[2019], editions[2020], "513201")
    return run.proposals.filter(status="pending")


def test_deciding_a_proposal_returns_to_the_review_page_never_to_another_site(client, maerkang, make_user, pending):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    first, second = pending[:2]
    run_page = reverse("divisions:run", args=[first.run_id])
    response = client.post(reverse("divisions:proposal_decide", args=[first.pk]),
                           {"action": "reject", "next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == run_page
    assert Proposal.objects.get(pk=first.pk).status == "rejected"
    response = client.post(reverse("divisions:proposal_decide", args=[second.pk]),
                           {"action": "reject", "next": "/\\evil.example/"})
    assert response["Location"] == run_page
    # the page's own filters are kept
    third = pending[2]
    response = client.post(reverse("divisions:proposal_decide", args=[third.pk]),
                           {"action": "reject", "next": run_page + "?type=merge&page=2"})
    assert response["Location"] == run_page + "?type=merge&page=2"


@pytest.fixture
def minzheng(maerkang, make_user):
    return make_user("mz", Role.DEPARTMENT, maerkang, department="民政")


def start_comparison(client, editions, scope):
    return client.post(reverse("divisions:runs"), {"from_edition": editions[2019].pk,
                                                   "to_edition": editions[2020].pk, "scope": scope})


@pytest.mark.parametrize("scope, message", [
    ("513221", "该范围不在您的管辖范围内"),        # 汶川县, another county
    ("5132", "该范围不在您的管辖范围内"),          # the whole prefecture
    ("513221000000", "该范围不在您的管辖范围内"),  # a full code works like its prefix
    ("", "请填写您管辖范围内的区划代码前缀"),       # the whole country
    ("51320a", "应为区划代码或其前缀"),
])
def test_a_county_editor_cannot_compare_editions_outside_the_county(client, minzheng, editions, scope, message):
    client.force_login(minzheng)
    jobs, runs = Job.objects.count(), ReconciliationRun.objects.count()
    response = start_comparison(client, editions, scope)
    assert response.status_code == 200 and message in response.content.decode()
    assert Job.objects.count() == jobs and ReconciliationRun.objects.count() == runs


def test_a_county_editor_compares_editions_of_the_county_and_sees_only_those_runs(
        client, minzheng, editions, django_capture_on_commit_callbacks):
    other = services.run_reconciliation(editions[2019], editions[2020], "513221")  # 汶川县's, by its own office
    client.force_login(minzheng)
    page = client.get(reverse("divisions:runs")).content.decode()
    assert 'value="513201"' in page  # the form suggests the county
    assert "513221" not in page  # 汶川县's comparison is not listed
    assert client.get(reverse("divisions:run", args=[other.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = start_comparison(client, editions, "513201102")  # one township of the county
    assert response.status_code == 302
    run = ReconciliationRun.objects.latest("pk")
    assert run.scope == "513201102" and run.created_by == minzheng
    assert client.get(reverse("divisions:run", args=[run.pk])).status_code == 200
