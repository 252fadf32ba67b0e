from typing import Any

from django.db import migrations, models

# The subjects that set no homework as a rule, as named when this migration was written
# (zhurnal.schools.curriculum_templates.WITHOUT_HOMEWORK may change later).
WITHOUT_HOMEWORK = (
    "Мистецтво",
    "Музичне мистецтво",
    "Образотворче мистецтво",
    "Фізична культура",
    "Трудове навчання",
    "Технології",
)


def no_homework_for_arts_and_pe(apps: Any, schema_editor: Any) -> None:
    Subject = apps.get_model("schools", "Subject")
    names = {name.casefold() for name in WITHOUT_HOMEWORK}
    ids = [
        pk
        for pk, name, physical in Subject.objects.values_list("pk", "name", "is_physical_education")
        if physical or name.strip().casefold() in names
    ]
    Subject.objects.filter(pk__in=ids).update(homework_expected=False)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0004_second_factor_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="homework_expected",
            field=models.BooleanField(
                default=True,
                help_text="Untick for subjects that set no homework, such as music, art or PE.",
                verbose_name="homework expected",
            ),
        ),
        migrations.RunPython(no_homework_for_arts_and_pe, migrations.RunPython.noop),
    ]
