"""Clients in the Wagtail admin: listing, search, filters, CSV, the client page, and isolation per studio."""

import csv
import io

import pytest

from crm.activity import record_activity
from crm.models import Activity, Client, ClientTag
from tests.factories import BookingFactory, ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


@pytest.fixture
def b_client(other_studio):
    client = ClientFactory(studio=other_studio, name="Harbour Secret Client", email="secret@harbour.test")
    tag = ClientTag.objects.create(studio=other_studio, name="harbour-secret-tag")
    client.tags.add(tag)
    record_activity(client, "inquiry_received", "Harbour Secret Inquiry")
    return client


def get(admin, url, **params):
    return admin.get(url, params, HTTP_HOST="localhost")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/clients/edit/{pk}/",
        "/admin/clients/delete/{pk}/",
        "/admin/clients/inspect/{pk}/",
        "/admin/clients/history/{pk}/",
        "/admin/clients/history-results/{pk}/",
        "/admin/clients/usage/{pk}/",
        "/admin/client_tags/edit/{tag}/",
        "/admin/client_tags/delete/{tag}/",
    ],
)
def test_another_studios_client_urls_are_404(a_admin, b_client, url):
    tag = b_client.tags.get()
    response = get(a_admin, url.format(pk=b_client.pk, tag=tag.pk))
    assert response.status_code == 404
    assert b"Harbour Secret" not in response.content


def test_posting_to_another_studios_client_changes_nothing(a_admin, b_client):
    for url in (f"/admin/clients/edit/{b_client.pk}/", f"/admin/clients/delete/{b_client.pk}/"):
        response = a_admin.post(url, {"name": "Hacked", "email": "x@x.test", "stage": "lead"}, HTTP_HOST="localhost")
        assert response.status_code == 404
    response = a_admin.post(f"/admin/clients/{b_client.pk}/note/", {"text": "hi"}, HTTP_HOST="localhost")
    assert response.status_code == 404
    b_client.refresh_from_db()
    assert b_client.name == "Harbour Secret Client"
    assert not b_client.activities.filter(kind="note").exists()


@pytest.mark.parametrize(
    "url", ["/admin/clients/", "/admin/clients/?q=Harbour", "/admin/clients/results/", "/admin/client_tags/"]
)
def test_listings_show_only_own_clients_and_tags(a_admin, b_client, studio, url):
    ClientFactory(studio=studio, name="Northlight Nora")
    response = get(a_admin, url)
    assert response.status_code == 200
    assert b"Harbour Secret" not in response.content
    assert b"harbour-secret-tag" not in response.content


def test_csv_export_has_only_own_clients(a_admin, b_client, studio):
    nora = ClientFactory(studio=studio, name="Nora Vale", email="nora@example.test", stage="booked")
    nora.tags.add(ClientTag.objects.create(studio=studio, name="wedding"))
    response = get(a_admin, "/admin/clients/", export="csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["Name"], r["Email"], r["Stage"], r["Tags"]) for r in rows] == [
        ("Nora Vale", "nora@example.test", "Booked", "wedding")
    ]


def test_search_and_filters(a_admin, studio):
    wed = ClientTag.objects.create(studio=studio, name="wedding")
    ClientFactory(studio=studio, name="Ada Lead", stage="lead").tags.add(wed)
    ClientFactory(studio=studio, name="Bo Booked", stage="booked")
    ClientFactory(studio=studio, name="Cy Customer", email="cy@corp.test", stage="customer")

    def names(**params):
        content = get(a_admin, "/admin/clients/", **params).content.decode()
        return {n for n in ("Ada Lead", "Bo Booked", "Cy Customer") if n in content}

    assert names() == {"Ada Lead", "Bo Booked", "Cy Customer"}
    assert names(stage="booked") == {"Bo Booked"}
    assert names(tags=wed.pk) == {"Ada Lead"}
    assert names(q="corp.test") == {"Cy Customer"}
    assert names(created_at_from="2000-01-01", created_at_to="2000-01-02") == set()
    assert names(created_at_from="2000-01-01") == {"Ada Lead", "Bo Booked", "Cy Customer"}


def test_another_studios_tag_is_not_a_filter_choice(a_admin, b_client):
    tag = b_client.tags.get()
    response = get(a_admin, "/admin/clients/", tags=tag.pk)
    assert b"Harbour Secret" not in response.content
    assert b"harbour-secret-tag" not in response.content


def test_create_client_with_tags_puts_it_in_own_studio(a_admin, studio, other_studio):
    ClientTag.objects.create(studio=other_studio, name="Wedding")
    response = a_admin.post(
        "/admin/clients/new/",
        {
            "name": "Iris Bloom",
            "email": "iris@example.test",
            "stage": "lead",
            "tag_names": "Wedding, referral, wedding",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get(email="iris@example.test")
    assert client.studio == studio
    assert sorted(t.name for t in client.tags.all()) == ["Wedding", "referral"]
    assert all(t.studio == studio for t in client.tags.all())
    assert ClientTag.objects.for_studio(other_studio).count() == 1


def test_duplicate_email_in_own_studio_is_a_form_error(a_admin, studio):
    ClientFactory(studio=studio, email="iris@example.test")
    response = a_admin.post(
        "/admin/clients/new/",
        {"name": "Iris Again", "email": "IRIS@example.test", "stage": "lead"},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    assert b"already has this e-mail address" in response.content
    assert Client.objects.count() == 1


def test_stage_can_be_edited_by_hand(a_admin, studio):
    client = ClientFactory(studio=studio, name="Ada", email="ada@example.test", stage="customer")
    response = a_admin.post(
        f"/admin/clients/edit/{client.pk}/",
        {"name": "Ada", "email": "ada@example.test", "stage": "lead", "tag_names": ""},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.stage == "lead"


def test_client_page_shows_timeline_bookings_and_notes(a_admin, studio, photographer):
    client = ClientFactory(studio=studio, name="Nora Vale")
    BookingFactory(studio=studio, client=client, session_type__name="Family portrait")
    record_activity(client, "inquiry_received", "Family session in spring")
    response = a_admin.post(f"/admin/clients/{client.pk}/note/", {"text": "Called back"}, HTTP_HOST="localhost")
    assert response.status_code == 302

    page = get(a_admin, f"/admin/clients/inspect/{client.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Family session in spring" in html
    assert "Called back" in html and photographer.email in html
    assert "Family portrait" in html
    assert Activity.objects.get(kind="note").created_by == photographer


def test_client_listing_queries_do_not_grow_with_clients(a_admin, studio, django_assert_max_num_queries):
    tag = ClientTag.objects.create(studio=studio, name="wedding")
    for i in range(3):
        ClientFactory(studio=studio).tags.add(tag)
    a_admin.get("/admin/clients/", HTTP_HOST="localhost")
    with django_assert_max_num_queries(25) as few:
        a_admin.get("/admin/clients/", HTTP_HOST="localhost")
    for i in range(20):
        ClientFactory(studio=studio).tags.add(tag)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = a_admin.get("/admin/clients/", HTTP_HOST="localhost")
    assert response.status_code == 200


def test_site_history_report_shows_only_own_studio_changes(admin_client_for, photographer, other_photographer):
    harbour = admin_client_for(other_photographer)
    harbour.post(
        "/admin/clients/new/",
        {"name": "Harbour Secret Client", "email": "s@h.test", "stage": "lead"},
        HTTP_HOST="localhost",
    )
    harbour.logout()
    northlight = admin_client_for(photographer)
    northlight.post(
        "/admin/clients/new/", {"name": "Northlight Nora", "email": "n@n.test", "stage": "lead"}, HTTP_HOST="localhost"
    )
    assert Client.objects.count() == 2
    report = northlight.get("/admin/reports/site-history/", HTTP_HOST="localhost").content
    assert b"Northlight Nora" in report
    assert b"Harbour Secret" not in report


def test_clicking_a_client_opens_their_page_with_links_to_everything(a_admin, studio):
    from billing.models import Invoice
    from galleries.models import Gallery
    from tests.billing.factories import invoice_for
    from tests.galleries.factories import make_gallery

    nora = ClientFactory(studio=studio, name="Nora Vale")
    booking = BookingFactory(studio=studio, client=nora, session_type__name="Family portrait")
    invoice = invoice_for(studio, client=nora, send=False)
    gallery = make_gallery(studio, title="Vale Family", access_code="VALE0001", client=nora)
    record_activity(nora, "booking_made", "Family portrait", data={"booking": booking.pk})
    record_activity(nora, "invoice_sent", "Invoice", data={"invoice": invoice.pk})
    record_activity(nora, "gallery_viewed", "Vale Family", data={"gallery": gallery.pk, "email": "x@example.test"})

    listing = get(a_admin, "/admin/clients/").content.decode()
    assert f'href="/admin/clients/inspect/{nora.pk}/"' in listing

    page = get(a_admin, f"/admin/clients/inspect/{nora.pk}/").content.decode()
    assert f'href="/admin/clients/edit/{nora.pk}/"' in page
    assert f'href="/admin/bookings/inspect/{booking.pk}/"' in page
    assert f'href="/admin/billing/invoices/inspect/{invoice.pk}/"' in page
    assert f'href="/admin/pages/{gallery.pk}/edit/"' in page
    timeline = page[page.index('class="crm-timeline"') :]
    for url in (f"/admin/bookings/inspect/{booking.pk}/", f"/admin/billing/invoices/inspect/{invoice.pk}/"):
        assert f'<a href="{url}">' in timeline
    assert Invoice.objects.get(pk=invoice.pk).client == nora and Gallery.objects.get(pk=gallery.pk).client == nora


def test_clicking_a_booking_row_opens_the_booking(a_admin, studio):
    booking = BookingFactory(studio=studio, session_type__name="Family portrait")
    listing = get(a_admin, "/admin/bookings/").content.decode()
    assert f'href="/admin/bookings/inspect/{booking.pk}/"' in listing


def sent_email(studio, to, subject, state="sent", **fields):
    from django.utils import timezone  # noqa: PLC0415

    from studios.models import OutgoingEmail  # noqa: PLC0415

    now = timezone.now()
    return OutgoingEmail.objects.create(
        studio=studio,
        key=f"test:{subject}",
        template="gallery_ready",
        to=to,
        subject=subject,
        body=fields.pop("body", f"{subject}\n\nThe body."),
        state=state,
        sent_at=now if state == "sent" else None,
        next_attempt_at=now,
        **fields,
    )


def test_the_timeline_shows_each_email_sent_to_the_client_and_opens_it(a_admin, studio, other_studio):
    """The client's page lists what was e-mailed to them, each line opening the message as it was sent."""
    nora = ClientFactory(studio=studio, name="Nora Vale", email="nora@example.test")
    ready = sent_email(studio, ["Nora@Example.test"], "Your photos are ready: Vale Family", body="Hi <b>Nora</b>")
    waiting = sent_email(studio, ["nora@example.test", "dad@example.test"], "Your session is confirmed", "pending")
    sent_email(studio, ["olly@example.test"], "Not Nora's e-mail")
    sent_email(other_studio, ["nora@example.test"], "Harbour Secret e-mail")

    page = get(a_admin, f"/admin/clients/inspect/{nora.pk}/").content.decode()
    timeline = page[page.index('class="crm-timeline"') :]
    assert page.index("mailto:nora@example.test") < page.index('class="crm-timeline"')  # the contact's address
    assert "E-mail sent</strong>: Your photos are ready: Vale Family" in timeline
    assert "E-mail waiting to be sent</strong>: Your session is confirmed" in timeline
    assert "Not Nora" not in page and "Harbour Secret" not in page
    url = f"/admin/clients/{nora.pk}/emails/{ready.pk}/"
    assert f'<a href="{url}">E-mail</a>' in timeline

    message = get(a_admin, url).content.decode()
    assert "Your photos are ready: Vale Family" in message and "Nora@Example.test" in message
    assert "Hi &lt;b&gt;Nora&lt;/b&gt;" in message  # the text part, shown as text
    assert get(a_admin, f"/admin/clients/{nora.pk}/emails/{waiting.pk}/").status_code == 200


def test_an_email_opens_only_under_its_own_client_and_studio(admin_client_for, a_admin, studio, other_studio):
    nora = ClientFactory(studio=studio, name="Nora Vale", email="nora@example.test")
    olly = ClientFactory(studio=studio, name="Olly", email="olly@example.test")
    to_olly = sent_email(studio, ["olly@example.test"], "Olly's invoice")
    harbour = ClientFactory(studio=other_studio, name="Harbour", email="nora@example.test")
    secret = sent_email(other_studio, ["nora@example.test"], "Harbour Secret e-mail")

    assert get(a_admin, f"/admin/clients/{nora.pk}/emails/{to_olly.pk}/").status_code == 404  # not to Nora
    assert get(a_admin, f"/admin/clients/{nora.pk}/emails/{secret.pk}/").status_code == 404  # B's message
    assert get(a_admin, f"/admin/clients/{harbour.pk}/emails/{secret.pk}/").status_code == 404  # B's client
    assert get(a_admin, f"/admin/clients/{olly.pk}/emails/{to_olly.pk}/").status_code == 200


def test_a_failed_email_on_the_timeline_links_to_the_message(a_admin, studio):
    nora = ClientFactory(studio=studio, name="Nora Vale", email="nora@example.test")
    failed = sent_email(studio, ["nora@example.test"], "Your invoice", "failed", last_error="550 mailbox full")
    record_activity(nora, "email_failed", "E-mail to nora@example.test failed: Your invoice", data={"email": failed.pk})

    timeline = get(a_admin, f"/admin/clients/inspect/{nora.pk}/").content.decode()
    timeline = timeline[timeline.index('class="crm-timeline"') :]
    assert timeline.count("Your invoice") == 1  # the failure's own line, not the message a second time
    assert f'<a href="/admin/clients/{nora.pk}/emails/{failed.pk}/">E-mail</a>' in timeline
    assert "550 mailbox full" in get(a_admin, f"/admin/clients/{nora.pk}/emails/{failed.pk}/").content.decode()
