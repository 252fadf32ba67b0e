from django.db import migrations

SCALES = [
    ("ua-12", "12-бальна шкала", "numeric", [(str(n), str(n), n) for n in range(1, 13)]),
    (
        "nus-levels",
        "Рівні НУШ (початковий, середній, достатній, високий)",
        "levels",
        [("П", "початковий", 1), ("С", "середній", 2), ("Д", "достатній", 3), ("В", "високий", 4)],
    ),
    ("ru-5", "5-балльная шкала", "numeric", [(str(n), str(n), n) for n in range(1, 6)]),
    ("pass-fail", "зараховано / не зараховано", "pass_fail", [("зарах.", "зараховано", None), ("не зарах.", "не зараховано", None)]),
    ("comments", "Без оцінювання — лише коментарі", "comments", []),
]


def create_scales(apps, schema_editor):
    GradingScale = apps.get_model("journal", "GradingScale")
    GradingScaleValue = apps.get_model("journal", "GradingScaleValue")
    for code, name, kind, values in SCALES:
        scale, _ = GradingScale.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        for order, (value, label, numeric) in enumerate(values, start=1):
            GradingScaleValue.objects.get_or_create(
                scale=scale, code=value,
                defaults={"label": label, "numeric_value": numeric, "order": order},
            )


def remove_scales(apps, schema_editor):
    apps.get_model("journal", "GradingScale").objects.filter(code__in=[s[0] for s in SCALES]).delete()


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(create_scales, remove_scales)]
