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


def proposal_data(proposal) -> dict:
    return {
        "id": proposal.pk,
        "status": proposal.current_status,
        "client": client_data(proposal.client),
        "session_type": {"id": proposal.session_type_id, "name": proposal.session_type.name},
        "start": _iso(proposal.start),
        "expires_at": _iso(proposal.expires_at),
        "sent_at": _iso(proposal.sent_at),
        "accepted_at": _iso(proposal.accepted_at),
        "booking": proposal.booking_id,
        "contract": proposal.contract_id,
        "invoice": proposal.invoice_id,
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


def workflow_run_data(run) -> dict:
    """A workflow run (`workflow.run_failed`, `workflow.webhook`): which workflow, about what, how far."""
    about = run.content_type.model if run.content_type_id else None
    return {
        "id": run.pk,
        "workflow": {"id": run.workflow_id, "name": run.workflow.name, "version": run.workflow_version},
        "trigger": run.trigger,
        "status": run.status,
        "about": {"type": about, "id": run.object_id} if about else None,
        "client": client_data(run.client) if run.client_id else None,
        "next_step": run.next_step,
        "outcome": run.outcome,
        "created_at": _iso(run.created_at),
    }


def questionnaire_data(request) -> dict:
    """questionnaire.answered: the crm.QuestionnaireRequest with its answers (text, in question order)."""
    return {
        "id": request.pk,
        "title": request.title,
        "client": client_data(request.client),
        "booking": request.booking_id,
        "sent_at": _iso(request.sent_at),
        "answered_at": _iso(request.answered_at),
        "answers": [
            {"question": a["id"], "label": a["label"], "type": a["type"], "answer": a["text"]} for a in request.answers
        ],
    }


BUILDERS = {
    "client": client_data,
    "workflow": workflow_run_data,
    "email": email_data,
    "questionnaire": questionnaire_data,
    "gallery": gallery_data,
    "selection": selection_data,
    "inquiry": inquiry_data,
    "booking": booking_data,
    "contract": contract_data,
    "invoice": invoice_data,
    "proposal": proposal_data,
}


def payload_for(event: str, obj) -> dict:
    return BUILDERS[event.split(".", 1)[0]](obj)


# --- The payloads in the OpenAPI schema (components `Webhook…`; frontend_api/schema.py adds them) ----------
# tests/frontend_api/test_standard_webhooks.py checks real payloads against these.

EVENTS = {
    "inquiry.created": "inquiry",
    "booking.created": "booking",
    "booking.confirmed": "booking",
    "booking.rescheduled": "booking",
    "booking.cancelled": "booking",
    "contract.signed": "contract",
    "invoice.paid": "invoice",
    "gallery.published": "gallery",
    "selection.submitted": "selection",
    "booking.completed": "booking",
    "contract.sent": "contract",
    "invoice.sent": "invoice",
    "gallery.expiring": "gallery",
    "client.stage_changed": "client",
    "workflow.run_failed": "workflow",
    "workflow.webhook": "workflow",
    "questionnaire.answered": "questionnaire",
    "proposal.sent": "proposal",
    "proposal.accepted": "proposal",
    "proposal.declined": "proposal",
    "proposal.withdrawn": "proposal",
}


def _obj(properties: dict, nullable=()) -> dict:
    props = {}
    for name, schema in properties.items():
        if name in nullable:
            # A reference takes no siblings: `allOf` + `nullable` (frontend_api.schema then writes it as `anyOf`).
            schema = {"allOf": [schema], "nullable": True} if "$ref" in schema else {**schema, "nullable": True}
        props[name] = schema
    return {"type": "object", "properties": props, "required": list(properties)}


_INT, _STR = {"type": "integer"}, {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_DATE = {"type": "string", "format": "date"}
_CLIENT = {"$ref": "#/components/schemas/WebhookClient"}

DATA_SCHEMAS = {
    "WebhookClient": _obj({"id": _INT, "name": _STR, "email": _STR, "phone": _STR, "stage": _STR}),
    "WebhookWorkflow": _obj(
        {
            "id": _INT,
            "workflow": _obj({"id": _INT, "name": _STR, "version": _INT}),
            "trigger": _STR,
            "status": _STR,
            "about": _obj({"type": _STR, "id": _INT}),
            "client": _CLIENT,
            "next_step": _INT,
            "outcome": _STR,
            "created_at": _TIME,
        },
        nullable=("about", "client"),
    ),
    "WebhookInquiry": _obj(
        {
            "id": _INT,
            "client": _CLIENT,
            "message": _STR,
            "event_date": _DATE,
            "session_type": _INT,
            "source": _STR,
            "created_at": _TIME,
        },
        nullable=("event_date", "session_type"),
    ),
    "WebhookBooking": _obj(
        {
            "id": _INT,
            "status": _STR,
            "start": _TIME,
            "end": _TIME,
            "time_zone": _STR,
            "session_type": _obj({"id": _INT, "name": _STR}),
            "client": _CLIENT,
            "location": _STR,
            "notes": _STR,
        }
    ),
    "WebhookContract": _obj(
        {
            "id": _INT,
            "title": _STR,
            "status": _STR,
            "version": _INT,
            "booking": _INT,
            "client": _CLIENT,
            "sha256": _STR,
            "signed_at": _TIME,
        },
        nullable=("booking", "signed_at"),
    ),
    "WebhookInvoice": _obj(
        {
            "id": _INT,
            "number": _STR,
            "status": _STR,
            "currency": _STR,
            "total": {**_INT, "description": "Minor units of `currency`."},
            "amount_paid": _INT,
            "due_date": _DATE,
            "paid_at": _TIME,
            "booking": _INT,
            "client": _CLIENT,
        },
        nullable=("due_date", "paid_at", "booking"),
    ),
    "WebhookGallery": _obj(
        {"id": _INT, "title": _STR, "client": _CLIENT, "expires_at": _TIME, "photo_count": _INT, "url": _STR},
        nullable=("client", "expires_at", "url"),
    ),
    "WebhookSelection": _obj(
        {
            "id": _INT,
            "gallery": _obj({"id": _INT, "title": _STR}),
            "email": _STR,
            "submitted_at": _TIME,
            "photos": {"type": "array", "items": _obj({"id": _INT, "filename": _STR})},
        },
        nullable=("submitted_at",),
    ),
    "WebhookQuestionnaire": _obj(
        {
            "id": _INT,
            "title": _STR,
            "client": _CLIENT,
            "booking": _INT,
            "sent_at": _TIME,
            "answered_at": _TIME,
            "answers": {
                "type": "array",
                "items": _obj({"question": _STR, "label": _STR, "type": _STR, "answer": _STR}),
            },
        },
        nullable=("booking", "answered_at"),
    ),
    "WebhookProposal": _obj(
        {
            "id": _INT,
            "status": _STR,
            "client": _CLIENT,
            "session_type": _obj({"id": _INT, "name": _STR}),
            "start": _TIME,
            "expires_at": _TIME,
            "sent_at": _TIME,
            "accepted_at": _TIME,
            "booking": _INT,
            "contract": _INT,
            "invoice": _INT,
        },
        nullable=("start", "expires_at", "sent_at", "accepted_at", "booking", "contract", "invoice"),
    ),
}


def event_schemas() -> dict:
    """`WebhookEvent_<event>` per event: the envelope with its `data`, plus the data schemas."""
    schemas = dict(DATA_SCHEMAS)
    for event, kind in EVENTS.items():
        envelope = _obj(
            {
                "id": {"type": "string", "description": "`evt_…`: the same on every retry (and `webhook-id`)."},
                "type": {"type": "string", "enum": [event]},
                "created": _TIME,
                "studio": {"type": "string", "description": "The studio's slug."},
                "data": {"$ref": f"#/components/schemas/Webhook{kind.title()}"},
            }
        )
        envelope["description"] = f"The body POSTed for `{event}`."
        schemas[f"WebhookEvent_{event.replace('.', '_')}"] = envelope
    return schemas
