"""The four plans of the platform, as data (prices in US cents)."""

from django.db import migrations

PLANS = [
    # code, name, order, price, storage GB, galleries, seats, domain, white label, API, automation, fee bps
    ("starter", "Starter", 1, 1900, 25, 10, 1, False, False, False, False, 300),
    ("professional", "Professional", 2, 4900, 250, 100, 3, True, False, False, True, 200),
    ("studio", "Studio", 3, 9900, 1000, None, 10, True, True, True, True, 100),
    ("enterprise", "Enterprise", 4, 24900, 5000, None, None, True, True, True, True, 50),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for code, name, order, price, storage, galleries, seats, domain, white, api, auto, fee in PLANS:
        Plan.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                sort_order=order,
                monthly_price=price,
                currency="usd",
                trial_days=14,
                storage_gb=storage,
                active_galleries=galleries,
                staff_seats=seats,
                custom_domain=domain,
                white_label=white,
                api_access=api,
                workflow_automation=auto,
                transaction_fee_bps=fee,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
