"""Demo clients at every stage of the lifecycle, with tags, inquiries and notes; the "Session planning"
questionnaire and a few to-dos (idempotent)."""

from datetime import timedelta

from django.utils import timezone

from crm.activity import add_note, record_activity

from .models import Client, ClientTag, Inquiry, Todo
from .questionnaires import seed_session_planning
from .todos import create_todo

DEMO_CLIENTS = [
    # name, email, stage before bookings.demo runs, tags, source. The demo bookings then move Emma and
    # Jonah to booked, Lucy to customer and Sam (a customer from before FocusFlow) to repeat.
    ("Theo Marsh", "theo.marsh@example.test", "prospect", ["portrait"], "instagram"),
    ("Priya Desai", "priya.desai@example.test", "lead", ["wedding 2027"], "website"),
    ("Emma Clarke", "emma.clarke@example.test", "lead", ["wedding 2027", "referral"], "referral"),
    ("Jonah Reid", "jonah.reid@example.test", "lead", ["family"], "website"),
    ("Lucy Byrne", "lucy.byrne@example.test", "lead", ["family"], "google"),
    ("Sam Okafor", "sam.okafor@example.test", "customer", ["portrait", "referral"], "referral"),
]


def seed(studio, stdout) -> None:
    created = 0
    for name, email, stage, tags, source in DEMO_CLIENTS:
        client, new = Client.objects.for_studio(studio).get_or_create(
            email__iexact=email, defaults={"studio": studio, "name": name, "email": email, "source": source}
        )
        if not new:
            continue
        created += 1
        client.tags.set(
            [ClientTag.objects.get_or_create(studio=studio, name=tag)[0] for tag in tags],  # studio-scoped tags
            through_defaults={"studio": studio},
        )
        if stage != "prospect":
            inquiry = Inquiry.objects.create(
                studio=studio, client=client, message=f"Hello! {name} here, we'd love to book a session.", source=source
            )
            record_activity(client, "inquiry_received", inquiry.message[:120], data={"inquiry": inquiry.pk})
        if stage == "prospect":
            add_note(client, "Met at the wedding fair; send the portrait price list.")
        if stage == "customer":  # set by hand, as a photographer would for an existing customer
            Client.objects.filter(pk=client.pk).update(stage=stage)
    seed_session_planning(studio)
    if not Todo.objects.for_studio(studio).filter(source="demo").exists():
        now = timezone.now()
        theo = Client.objects.for_studio(studio).filter(email__iexact="theo.marsh@example.test").first()
        create_todo(studio, title="Send Theo the portrait price list", client=theo, due_at=now - timedelta(days=1),
                    source="demo")  # fmt: skip
        create_todo(studio, title="Scout the park for autumn sessions", due_at=now + timedelta(days=3), source="demo")
    stdout.write(f"  crm: {created} demo clients added to {studio.slug}")
