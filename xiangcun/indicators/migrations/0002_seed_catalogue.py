"""Seed the catalogue of data elements (the county may edit it afterwards; re-running adds only missing codes)."""
from django.db import migrations


def seed(apps, schema_editor):
    from xiangcun.indicators.catalogue import seed as seed_catalogue

    seed_catalogue(apps.get_model("indicators", "DataElement"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
