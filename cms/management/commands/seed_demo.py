"""`manage.py seed_demo`: the demo the README describes, the same every time (idempotent)."""

import importlib
import io
import os

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from cms.models import PortfolioIndexPage, PortfolioPage
from galleries.models import StudioImage
from studios.demo_images import landscape_jpeg
from studios.models import Studio
from studios.provisioning import add_member, create_studio
from studios.tenancy import forget_studio_hosts

DEMO_STUDIOS = [
    {
        "name": "Northlight Photography",
        "slug": "northlight",
        "email": "demo@northlight.test",
        "password": "northlight-demo",
        "time_zone": "Europe/London",
        "currency": "GBP",
        "tagline": "Weddings and portraits in the north",
        "primary_color": "#23313f",
        "accent_color": "#c8a97e",
    },
    {
        "name": "Harbour Studio",
        "slug": "harbour",
        "email": "demo@harbour.test",
        "password": "harbour-demo",
        "time_zone": "America/New_York",
        "currency": "USD",
        "tagline": "Coastal family sessions",
        "primary_color": "#0b4f6c",
        "accent_color": "#f4a259",
    },
]
PLATFORM_ADMIN = {"email": "admin@focusflow.test", "password": "focusflow-admin"}

# Each domain app may add demo data in `<app>/demo.py` with `seed(studio, stdout)`,
# idempotent like this command; they run in this order.
DEMO_APPS = ["galleries", "crm", "bookings", "contracts", "billing", "workflows", "frontend_api", "cms"]


def app_seeders():
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        yield module.seed


class Command(BaseCommand):
    help = "Create (or refresh) the demo studios, logins and content. Safe to run again."

    def handle(self, *args, **options):
        for spec in DEMO_STUDIOS:
            with transaction.atomic():
                studio = self.seed_studio(spec)
            for seed in app_seeders():
                seed(studio, self.stdout)
        self.ensure_user(PLATFORM_ADMIN["email"], PLATFORM_ADMIN["password"], superuser=True)

        self.stdout.write(self.style.SUCCESS("\nFocusFlow demo is ready."))
        port = os.environ.get("PORT", "8000")  # as `make run` serves
        self.stdout.write(f"  Admin:            http://127.0.0.1:{port}/admin/")
        for spec in DEMO_STUDIOS:
            self.stdout.write(
                f"  {spec['name']}: http://{spec['slug']}.localhost:{port}/"
                f"   login {spec['email']} / {spec['password']}"
            )
        self.stdout.write(f"  Platform admin:   {PLATFORM_ADMIN['email']} / {PLATFORM_ADMIN['password']}")

    def ensure_user(self, email, password, superuser=False):
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created or not user.check_password(password):
            user.set_password(password)
        user.is_superuser = user.is_staff = superuser
        user.save()
        return user

    def seed_studio(self, spec):
        user = self.ensure_user(spec["email"], spec["password"])
        studio = Studio.objects.filter(slug=spec["slug"]).first()
        if studio is None:
            studio = create_studio(
                name=spec["name"],
                slug=spec["slug"],
                owner=user,
                time_zone=spec["time_zone"],
                currency=spec["currency"],
                contact_email=spec["email"],
            )
        else:
            add_member(studio, user, "owner")
        Studio.objects.filter(pk=studio.pk).update(
            tagline=spec["tagline"], primary_color=spec["primary_color"], accent_color=spec["accent_color"]
        )
        forget_studio_hosts(studio)  # the cached host → studio (studios/tenancy.py) held the old branding
        studio.refresh_from_db()
        self.seed_portfolio(studio)
        return studio

    def seed_portfolio(self, studio):
        images = list(StudioImage.objects.for_studio(studio).filter(title__startswith="Demo landscape"))
        for i in range(len(images), 6):
            seed = sum(map(ord, studio.slug)) + i
            image = StudioImage.objects.create(
                title=f"Demo landscape {i + 1}",
                studio=studio,
                collection=studio.collection,
                file=ImageFile(io.BytesIO(landscape_jpeg(seed)), name=f"{studio.slug}-landscape-{i + 1}.jpg"),
            )
            images.append(image)
        images.sort(key=lambda im: im.title)

        home = studio.home_page.specific
        if not home.body:
            home.body = [
                ("hero", {"image": images[0], "heading": studio.name, "subheading": studio.tagline}),
                ("heading", "Recent work"),
                (
                    "photo_grid",
                    {"heading": "", "photos": [{"image": im, "caption": "", "alt": im.title} for im in images[1:4]]},
                ),
                (
                    "testimonial",
                    {
                        "quote": "They caught every moment we didn't know we'd want to remember.",
                        "author": "Emma & Jonah",
                    },
                ),
                ("inquiry_form", {"heading": "Tell us about your day", "button_label": "Send inquiry"}),
            ]
            home.save_revision().publish()

        index = PortfolioIndexPage.objects.child_of(home).first()
        if not PortfolioPage.objects.child_of(index).exists():
            page = PortfolioPage(
                title="Weddings",
                slug="weddings",
                cover=images[1],
                intro="Quiet moments, big days.",
                body=[
                    (
                        "photo_grid",
                        {"heading": "", "photos": [{"image": im, "caption": "", "alt": im.title} for im in images]},
                    )
                ],
            )
            index.add_child(instance=page)
            page.save_revision().publish()
