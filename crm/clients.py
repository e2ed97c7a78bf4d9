"""Finding a studio's client by e-mail (case-insensitively), or adding them."""

from studios.models import Studio

from .models import Client


def client_for_contact(studio: Studio, *, name: str, email: str, phone: str = "", source: str = "") -> Client:
    """The studio's client with this e-mail, created if new; blank details are filled in, never overwritten."""
    email = email.strip()
    client, created = Client.objects.for_studio(studio).get_or_create(
        email__iexact=email, defaults={"studio": studio, "name": name, "email": email, "phone": phone, "source": source}
    )
    if not created:
        changed = []
        for field, value in (("name", name), ("phone", phone), ("source", source)):
            if value and not getattr(client, field):
                setattr(client, field, value)
                changed.append(field)
        if changed:
            client.save(update_fields=[*changed, "updated_at"])
    return client


def photographer_addresses(studio: Studio) -> list[str]:
    """Where the studio's notifications go: its contact address and its owners."""
    addresses = [studio.contact_email] if studio.contact_email else []
    owners = studio.memberships.filter(role="owner").select_related("user")
    for membership in owners:
        if membership.user.email and membership.user.email not in addresses:
            addresses.append(membership.user.email)
    return addresses
