"""The demo studios' workflows: every recipe, switched on (idempotent)."""

from .models import Workflow
from .recipes import seed_recipes


def seed(studio, stdout) -> None:
    added = seed_recipes(studio, active=True)
    Workflow.objects.for_studio(studio).exclude(recipe="").filter(active=False).update(active=True)
    stdout.write(f"  workflows: {len(added)} recipes added to {studio.slug}, all switched on")
