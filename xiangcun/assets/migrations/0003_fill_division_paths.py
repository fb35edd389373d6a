# Fill the copied division paths (a separate migration: on PostgreSQL a data UPDATE in the migration
# that adds the indexes leaves pending trigger events when the deferred CREATE INDEX runs).

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_paths(apps, schema_editor):
    """Copy each asset's holder's and custodian's current division path onto it (one UPDATE, so each
    row is rewritten once)."""
    Asset = apps.get_model("assets", "Asset")
    Division = apps.get_model("divisions", "Division")
    path_of = {field: Subquery(Division.objects.filter(pk=OuterRef(f"{field}_id")).values("path")[:1])
               for field in ("holder", "custodian")}
    Asset.objects.update(holder_path=path_of["holder"], custodian_path=path_of["custodian"])


# Statistics group by the unit at depth N of the custodian's path (stats.UnitUnder); without these
# PostgreSQL (14+) takes that expression to have as many values as paths, and sorts 200,000 rows on
# disk instead of hashing into a few hundred groups. Depth: ids in the scope's path, 0 (no scope) to
# 4 (a township).
STATS_DEPTHS = range(0, 5)


def create_statistics(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or conn.pg_version < 140000:
        return
    for depth in STATS_DEPTHS:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS asset_custodian_unit{depth} "
            f"ON split_part(custodian_path, '/', {depth + 2}), status FROM assets_asset")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for depth in STATS_DEPTHS:
            schema_editor.execute(f"DROP STATISTICS IF EXISTS asset_custodian_unit{depth}")


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0002_division_paths'),
        ('divisions', '0002_geometry'),
    ]

    operations = [
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
