"""The gallery e-mails' defaults and variables (studios.emails; registered in galleries/wagtail_hooks.py)."""

from studios.emails import CLIENT_VARIABLES, EmailSpec, client_values, when

VARIABLES = {
    **CLIENT_VARIABLES,
    "gallery.title": "The gallery's title",
    "gallery.url": "The client's link to the gallery",
    "gallery.code": "The gallery's access code",
    "gallery.pin": "The download PIN (when the gallery has one)",
    "gallery.expires": "The date the gallery closes (when it does)",
    "gallery.days_left": "Days until the gallery closes ('3 days')",
}
SAMPLE = {
    "gallery.title": "Emma & Jonah — Wedding",
    "gallery.url": "https://example.com/galleries/?code=SAMPLE24",
    "gallery.code": "SAMPLE24",
    "gallery.pin": "4821",
    "gallery.expires": "Friday 31 July 2026",
    "gallery.days_left": "4 days",
}
SELECTION_VARIABLES = {
    "gallery.title": "The gallery's title",
    "selection.email": "Who submitted the selection",
    "selection.count": "How many photos ('12 photos')",
    "selection.filenames": "The photos' file names, for Lightroom's filter",
    "gallery.activity_url": "The gallery's activity in your admin",
}
SELECTION_SAMPLE = {
    "gallery.title": "Emma & Jonah — Wedding",
    "selection.email": "emma@example.com",
    "selection.count": "3 photos",
    "selection.filenames": "DSC_0012, DSC_0043, DSC_0101",
    "gallery.activity_url": "https://app.example.com/admin/galleries/1/activity/",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def values(context: dict) -> dict:
    gallery, studio = context["gallery"], context["studio"]
    days = context.get("days")
    # A recipient's own link (galleries.sharing) is their grant: the gallery's code and PIN, which would open
    # it past the link's expiry and allowance, are left out (a line with only empty values is dropped).
    personal = context.get("personal", False)
    return {
        **client_values(context.get("client")),
        "gallery.title": gallery.title,
        "gallery.url": context.get("url", ""),
        "gallery.code": "" if personal else gallery.access_code,
        "gallery.pin": "" if personal else getattr(gallery, "download_pin", "") or "",
        "gallery.expires": when(studio, context.get("expires_at", gallery.expires_at), "%-d %B %Y"),
        "gallery.days_left": _plural(days, "day") if days is not None else "",
    }


def selection_values(context: dict) -> dict:
    selection = context["selection"]
    return {
        "gallery.title": context["gallery"].title,
        "selection.email": selection.email or "Your client",
        "selection.count": _plural(context["count"], "photo"),
        "selection.filenames": context["filenames"],
        "gallery.activity_url": context["admin_url"],
    }


SPECS = [
    EmailSpec(
        key="gallery_ready",
        label="Gallery ready (to the client)",
        subject="Your photos are ready: {{ gallery.title }}",
        body="""Hello {{ client.name }},

Your gallery "{{ gallery.title }}" from {{ studio.name }} is ready.

Open it here: {{ gallery.url }}
Access code: {{ gallery.code }}
Download PIN: {{ gallery.pin }}
The gallery is open until {{ gallery.expires }}.

{{ studio.name }}""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
    ),
    EmailSpec(
        key="gallery_expiring",
        label="Gallery closing soon (to the client; they can unsubscribe)",
        subject="{{ gallery.title }} closes in {{ gallery.days_left }}",
        body="""Hello {{ client.name }},

Your gallery "{{ gallery.title }}" from {{ studio.name }} closes in {{ gallery.days_left }}, on {{ gallery.expires }}. \
Download or select your photos before then.

Open it here: {{ gallery.url }}
Access code: {{ gallery.code }}

{{ studio.name }}""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
        marketing=True,
    ),
    EmailSpec(
        key="gallery_selection_submitted",
        label="Selection submitted (to you)",
        subject="{{ selection.email }} submitted {{ selection.count }} in {{ gallery.title }}",
        body="""{{ selection.email }} submitted a selection of {{ selection.count }} in "{{ gallery.title }}".

For Lightroom (Library filter, Text › Filename contains any of):
{{ selection.filenames }}

See the gallery's activity: {{ gallery.activity_url }}""",
        variables=SELECTION_VARIABLES,
        values=selection_values,
        sample=SELECTION_SAMPLE,
        audience="studio",
    ),
]
