"""The standard catalogue comes back to a database that has none (after `flush`, as between transactional
tests), and is never refilled behind a county that removed an element."""
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Q

from xiangcun.core.audit import AuditEntry
from xiangcun.indicators.apps import seed_empty_catalogue
from xiangcun.indicators.models import DataElement, DataValue


def catalogue():
    fields = [f.name for f in DataElement._meta.concrete_fields if f.name not in ("id", "weight", "not_above")]
    return sorted((tuple(row[f] for f in fields), row["weight__code"], row["not_above__code"])
                  for row in DataElement.objects.values(*fields, "weight__code", "not_above__code"))


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_standard_catalogue_back_without_audit_entries():
    migrated = catalogue()
    call_command("flush", interactive=False, verbosity=0)
    assert catalogue() == migrated  # the same elements, weights and relations the migrations seeded
    assert DataElement.objects.filter(code="CE_ASSET_RENT", source="assets").exists()  # what migration 0003 added
    assert DataElement.objects.get(code="TOILET_HH").not_above.code == "HOUSEHOLDS"  # and 0004's relations
    assert not AuditEntry.objects.exists()  # like the migrations: seeding is not a user's change


def test_a_county_catalogue_is_not_refilled(db):
    referenced = set(DataElement.objects.exclude(not_above=None).values_list("not_above", flat=True)) | set(
        DataElement.objects.exclude(weight=None).values_list("weight", flat=True))
    gone = DataElement.objects.exclude(Q(pk__in=referenced) | Q(not_above__isnull=False) | Q(weight__isnull=False)).exclude(
        pk__in=DataValue.objects.values("element")).first()
    code, count = gone.code, DataElement.objects.count()
    gone.delete()
    seed_empty_catalogue(sender=None, apps=apps)
    assert DataElement.objects.count() == count - 1 and not DataElement.objects.filter(code=code).exists()
