"""Factories for the foundation: users, studios (fully provisioned), clients, bookings."""

import importlib
from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page

from accounts.models import User
from bookings.models import Booking, SessionType
from crm.models import Client
from studios.provisioning import add_member, create_studio


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"photographer{n}@example.test")
    username = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy hook
        if create:
            obj.save()


def ensure_wagtail_roots():
    """Transactional tests flush the tables, taking Wagtail's root page and collection
    (made by migrations) with them; later tests need them back."""
    from django.contrib.auth.models import Permission

    if not Permission.objects.exists():  # flushed without post_migrate (after a serialized-rollback test)
        from django.core.management.sql import emit_post_migrate_signal

        ContentType.objects.clear_cache()
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.objects.filter(depth=1).exists():
        ContentType.objects.clear_cache()  # the flush re-created the content types under new ids
        Page.add_root(instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    from billing.models import Plan

    if not Plan.objects.exists():  # the plans are data from a migration, flushed the same way
        from django.apps import apps

        importlib.import_module("billing.migrations.0002_plans").create_plans(apps, None)


class StudioFactory(factory.Factory):
    """Goes through `create_studio`, so every studio is provisioned like a real one."""

    class Meta:
        model = dict  # built by _create below

    name = factory.Sequence(lambda n: f"Studio {n}")
    slug = factory.Sequence(lambda n: f"studio{n}")
    time_zone = "Europe/London"
    currency = "GBP"
    owner = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        ensure_wagtail_roots()
        return create_studio(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("StudioFactory only creates (provisioning needs the database)")


def photographer_for(studio, role="owner", **kwargs):
    user = UserFactory(**kwargs)
    add_member(studio, user, role)
    return user


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    studio = factory.SubFactory(StudioFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"client{n}@example.test")


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    studio = factory.SubFactory(StudioFactory)
    name = "Portrait session"
    duration = timedelta(hours=1)
    price = 25000
    deposit_percent = 25


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    studio = factory.SubFactory(StudioFactory)
    client = factory.SubFactory(ClientFactory, studio=factory.SelfAttribute("..studio"))
    session_type = factory.SubFactory(SessionTypeFactory, studio=factory.SelfAttribute("..studio"))
    start = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    )
    end = factory.LazyAttribute(lambda o: o.start + o.session_type.duration)
