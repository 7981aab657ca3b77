from django.db import migrations


def load(apps, schema_editor):
    from households.defaults import load_special_groups

    load_special_groups(apps.get_model("households", "TagType"), apps.get_model("households", "VisitRule"))


class Migration(migrations.Migration):
    dependencies = [("households", "0002_business_carecontact_changerequest_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
