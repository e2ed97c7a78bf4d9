"""What a workflow is made of, as Wagtail blocks so the admin edits them comfortably: its conditions
(`CONDITION_BLOCKS`) and its ordered steps (`STEP_BLOCKS`). The engine reads the stored JSON
(`[{"type": "send_email", "value": {...}, "id": ...}, ...]`), so a run keeps a plain frozen copy."""

from wagtail import blocks

from crm.models import Client

# Dates on the object a run is about that a time offset can be measured from.
ANCHORS = [
    ("event", "When the trigger happened"),
    ("booking.start", "The session's start"),
    ("booking.end", "The session's end"),
    ("gallery.expires_at", "The gallery's closing date"),
    ("invoice.due_date", "The invoice's due date"),
]


def _email_choices():
    # Imported here: the e-mail registry asks every app's hook, which needs the app registry to be ready.
    from studios.emails import email_specs

    return sorted(
        ((spec.key, spec.label) for spec in email_specs().values() if spec.key.startswith("workflow_")),
        key=lambda c: c[1],
    )


def _stage_choices():
    return list(Client.Stage.choices)


class SessionTypeCondition(blocks.StructBlock):
    test = blocks.ChoiceBlock(choices=[("is", "is"), ("is_not", "is not")], default="is")
    name = blocks.CharBlock(max_length=120, help_text="The session type's name, e.g. Wedding.")

    class Meta:
        icon = "date"
        label = "Session type"


class ClientTagCondition(blocks.StructBlock):
    test = blocks.ChoiceBlock(choices=[("has", "has"), ("lacks", "lacks")], default="has")
    tag = blocks.CharBlock(max_length=60)

    class Meta:
        icon = "tag"
        label = "Client tag"


class ClientStageCondition(blocks.StructBlock):
    stage = blocks.ChoiceBlock(choices=_stage_choices)

    class Meta:
        icon = "user"
        label = "Client stage is"


class AmountCondition(blocks.StructBlock):
    amount = blocks.DecimalBlock(
        min_value=0, decimal_places=2, help_text="In your currency, e.g. 500.00 (the invoice's or package's total)."
    )

    class Meta:
        icon = "form"
        label = "Amount at least"


class SelectionCondition(blocks.StructBlock):
    test = blocks.ChoiceBlock(choices=[("has", "has"), ("lacks", "lacks")], default="lacks")

    class Meta:
        icon = "image"
        label = "Gallery has a submitted selection"


class InvoiceUnpaidCondition(blocks.StructBlock):
    class Meta:
        icon = "warning"
        label = "Invoice is still unpaid"


CONDITION_BLOCKS = [
    ("session_type", SessionTypeCondition()),
    ("client_tag", ClientTagCondition()),
    ("client_stage", ClientStageCondition()),
    ("amount_at_least", AmountCondition()),
    ("gallery_selection", SelectionCondition()),
    ("invoice_unpaid", InvoiceUnpaidCondition()),
]


class SendEmailStep(blocks.StructBlock):
    template = blocks.ChoiceBlock(
        choices=_email_choices, help_text="Edit the wording under Settings → E-mail templates."
    )
    to = blocks.ChoiceBlock(choices=[("client", "The client"), ("studio", "You (the studio)")], default="client")

    class Meta:
        icon = "mail"
        label = "Send an e-mail"


class WaitStep(blocks.StructBlock):
    days = blocks.IntegerBlock(min_value=0, default=1)
    hours = blocks.IntegerBlock(min_value=0, max_value=23, default=0)

    class Meta:
        icon = "time"
        label = "Wait"


class WaitUntilStep(blocks.StructBlock):
    anchor = blocks.ChoiceBlock(choices=ANCHORS, default="booking.start")
    days = blocks.IntegerBlock(default=0, help_text="Negative for before (−2: two days before), positive for after.")
    time = blocks.TimeBlock(required=False, help_text="Time of day in your studio's time zone; empty: the same time.")
    if_passed = blocks.ChoiceBlock(
        choices=[("go_on", "carry on at once"), ("skip_next", "skip the next step"), ("stop", "stop the run")],
        default="skip_next",
        help_text="What to do when that moment has already passed.",
    )

    class Meta:
        icon = "date"
        label = "Wait until a date"


class TagStep(blocks.StructBlock):
    tag = blocks.CharBlock(max_length=60)

    class Meta:
        icon = "tag"


class StageStep(blocks.StructBlock):
    stage = blocks.ChoiceBlock(choices=_stage_choices)

    class Meta:
        icon = "user"
        label = "Move the client to stage"


class TodoStep(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    due_in_days = blocks.IntegerBlock(required=False, min_value=0)

    class Meta:
        icon = "tasks"
        label = "Create a to-do for you"


class QuestionnaireStep(blocks.StructBlock):
    questionnaire = blocks.CharBlock(max_length=200, help_text="The questionnaire's name (Clients → Questionnaires).")

    class Meta:
        icon = "form"
        label = "Send a questionnaire"


class WebhookStep(blocks.StructBlock):
    label = blocks.CharBlock(max_length=100, required=False, help_text="Sent along as `step`.")

    class Meta:
        icon = "link-external"
        label = "Call your webhook (workflow.webhook)"


class StopUnlessStep(blocks.StructBlock):
    conditions = blocks.StreamBlock(CONDITION_BLOCKS, min_num=1)

    class Meta:
        icon = "cross"
        label = "Stop unless"


STEP_BLOCKS = [
    ("send_email", SendEmailStep()),
    ("wait", WaitStep()),
    ("wait_until", WaitUntilStep()),
    ("add_tag", TagStep(label="Add a client tag")),
    ("remove_tag", TagStep(label="Remove a client tag")),
    ("set_stage", StageStep()),
    ("create_todo", TodoStep()),
    ("send_questionnaire", QuestionnaireStep()),
    ("call_webhook", WebhookStep()),
    ("stop_unless", StopUnlessStep()),
]
