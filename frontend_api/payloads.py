"""What an outgoing webhook says about each object: the whole object, not just an id,
so a receiver needs no call back."""


def _iso(value):
    return value.isoformat() if value else None


def client_data(client) -> dict:
    return {"id": client.pk, "name": client.name, "email": client.email, "phone": client.phone, "stage": client.stage}


def inquiry_data(inquiry) -> dict:
    return {
        "id": inquiry.pk,
        "client": client_data(inquiry.client),
        "message": inquiry.message,
        "event_date": _iso(inquiry.event_date),
        "session_type": inquiry.session_type_id,
        "source": inquiry.source,
        "created_at": _iso(inquiry.created_at),
    }


def booking_data(booking) -> dict:
    return {
        "id": booking.pk,
        "status": booking.status,
        "start": _iso(booking.start),
        "end": _iso(booking.end),
        "time_zone": booking.studio.time_zone,
        "session_type": {"id": booking.session_type_id, "name": booking.session_type.name},
        "client": client_data(booking.client),
        "location": booking.location,
        "notes": booking.notes,
    }


def contract_data(contract) -> dict:
    return {
        "id": contract.pk,
        "title": contract.title,
        "status": contract.status,
        "version": contract.version,
        "booking": contract.booking_id,
        "client": client_data(contract.client),
        "sha256": contract.body_sha256,
        "signed_at": _iso(contract.signed_at),
    }


def invoice_data(invoice) -> dict:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "currency": invoice.currency,
        "total": invoice.total,
        "amount_paid": invoice.amount_paid,
        "due_date": _iso(invoice.due_date),
        "paid_at": _iso(invoice.paid_at),
        "booking": invoice.booking_id,
        "client": client_data(invoice.client),
    }


def gallery_data(gallery) -> dict:
    return {
        "id": gallery.pk,
        "title": gallery.title,
        "client": client_data(gallery.client) if gallery.client_id else None,
        "expires_at": _iso(gallery.expires_at),
        "photo_count": gallery.photos.count(),
        "url": gallery.full_url,
    }


def selection_data(selection) -> dict:
    items = selection.items.select_related("photo__image").order_by("photo__order", "photo_id")
    return {
        "id": selection.pk,
        "gallery": {"id": selection.gallery_id, "title": selection.gallery.title},
        "email": selection.email,
        "submitted_at": _iso(selection.submitted_at),
        "photos": [{"id": item.photo_id, "filename": item.photo.filename} for item in items],
    }


def email_data(obj) -> dict:
    """email.failed (an outbox row) and email.suppressed / email.unsubscribed (a recipient of the studio)."""
    if hasattr(obj, "address"):
        return {
            "address": obj.address,
            "suppressed": obj.suppressed_at is not None,
            "reason": obj.suppressed_reason,
            "unsubscribed": obj.marketing_opt_out_at is not None,
        }
    return {"id": obj.pk, "template": obj.template, "to": list(obj.to), "subject": obj.subject, "state": obj.state}


BUILDERS = {
    "email": email_data,
    "gallery": gallery_data,
    "selection": selection_data,
    "inquiry": inquiry_data,
    "booking": booking_data,
    "contract": contract_data,
    "invoice": invoice_data,
}


def payload_for(event: str, obj) -> dict:
    return BUILDERS[event.split(".", 1)[0]](obj)
