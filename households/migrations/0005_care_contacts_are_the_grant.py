"""Care contacts were also granted households.view_person through django-guardian; the active
CareContact row is now the one grant, so the copies go."""

from django.db import migrations


def drop_guardian_copies(apps, schema_editor):
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    UserObjectPermission.objects.filter(permission__codename="view_person",
                                        content_type__app_label="households").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0004_import_job_status_changed"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
    ]

    operations = [migrations.RunPython(drop_guardian_copies, migrations.RunPython.noop)]
