from django.db import migrations, models


def sign_head(apps, schema_editor):
    """Sign the head of an existing trail with this instance's audit key (verify checks it from now on)."""
    from xiangcun.core.audit import head_mac

    AuditHead = apps.get_model("core", "AuditHead")
    for head in AuditHead.objects.using(schema_editor.connection.alias).all():
        if head.seq:
            head.mac = head_mac(head.seq, head.hash)
            head.save(update_fields=["mac"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_audit"),
    ]

    operations = [
        migrations.AddField(model_name="audithead", name="mac", field=models.CharField(blank=True, max_length=64)),
        migrations.RunPython(sign_head, migrations.RunPython.noop),
    ]
