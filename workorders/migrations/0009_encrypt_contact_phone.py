"""Reporters' phone numbers were kept in plain text (contact_phone): encrypt each into
contact_phone_enc with its masked form, then drop the readable column."""

from django.db import migrations, models


def encrypt_contacts(apps, schema_editor):
    from governance import pii

    WorkOrder = apps.get_model("workorders", "WorkOrder")
    batch = []
    for order in WorkOrder.objects.exclude(contact_phone="").only("pk", "contact_phone").iterator(chunk_size=2000):
        value = order.contact_phone.strip()
        order.contact_phone_enc = pii.encrypt(value)
        order.contact_phone_masked = pii.mask_phone(value)
        batch.append(order)
        if len(batch) >= 2000:
            WorkOrder.objects.bulk_update(batch, ["contact_phone_enc", "contact_phone_masked"])
            batch = []
    if batch:
        WorkOrder.objects.bulk_update(batch, ["contact_phone_enc", "contact_phone_masked"])


def decrypt_contacts(apps, schema_editor):
    from governance import pii

    WorkOrder = apps.get_model("workorders", "WorkOrder")
    for order in WorkOrder.objects.exclude(contact_phone_enc="").iterator(chunk_size=2000):
        WorkOrder.objects.filter(pk=order.pk).update(contact_phone=pii.decrypt(order.contact_phone_enc)[:20])


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0008_backfill_followup_due'),
    ]

    operations = [
        migrations.AddField(
            model_name='workorder',
            name='contact_phone_enc',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='contact phone (encrypted)'),
        ),
        migrations.AddField(
            model_name='workorder',
            name='contact_phone_masked',
            field=models.CharField(blank=True, default='', editable=False, max_length=30, verbose_name='contact phone'),
        ),
        migrations.RunPython(encrypt_contacts, decrypt_contacts),
        migrations.RemoveField(
            model_name='workorder',
            name='contact_phone',
        ),
    ]
