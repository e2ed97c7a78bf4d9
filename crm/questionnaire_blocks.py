"""The questions a studio puts in a questionnaire (crm.Questionnaire.questions): short text, long text, a
choice among options, a date, yes/no; each with a label, a help text and whether an answer is required.

`freeze(stream)` turns the edited StreamField into the plain list stored on each request when it is sent, so
later edits never change a questionnaire a client already has."""

from wagtail import blocks

QUESTION_TYPES = {
    "short_text": "Short text",
    "long_text": "Long text",
    "choice": "Choice",
    "date": "Date",
    "yes_no": "Yes / no",
}


class QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=200, help_text="The question, e.g. “Where would you like the session?”")
    help = blocks.CharBlock(max_length=300, required=False, help_text="A hint shown under the question.")
    required = blocks.BooleanBlock(required=False, default=False, help_text="The client must answer it.")

    class Meta:
        icon = "help"


class ChoiceQuestionBlock(QuestionBlock):
    options = blocks.ListBlock(blocks.CharBlock(max_length=120), min_num=1, help_text="The answers to choose from.")

    class Meta:
        icon = "list-ul"


class QuestionStreamBlock(blocks.StreamBlock):
    short_text = QuestionBlock(label=QUESTION_TYPES["short_text"], icon="pilcrow")
    long_text = QuestionBlock(label=QUESTION_TYPES["long_text"], icon="doc-full")
    choice = ChoiceQuestionBlock(label=QUESTION_TYPES["choice"])
    date = QuestionBlock(label=QUESTION_TYPES["date"], icon="date")
    yes_no = QuestionBlock(label=QUESTION_TYPES["yes_no"], icon="tick")


def freeze(stream) -> list[dict]:
    """The questions as plain data: [{"id", "type", "label", "help", "required", "options"}]."""
    frozen = []
    for child in stream:
        value = child.value
        frozen.append(
            {
                "id": str(child.id),
                "type": child.block_type,
                "label": str(value.get("label", "")),
                "help": str(value.get("help", "") or ""),
                "required": bool(value.get("required")),
                "options": [str(o) for o in value.get("options", [])] if child.block_type == "choice" else [],
            }
        )
    return frozen


def stream_data(questions: list[dict]) -> list[dict]:
    """The raw StreamField data for `questions` given as [{"type", "label", "help", "required", "options"}]
    (the seeded questionnaire)."""
    data = []
    for question in questions:
        value = {
            "label": question["label"],
            "help": question.get("help", ""),
            "required": question.get("required", False),
        }
        if question["type"] == "choice":
            value["options"] = list(question.get("options", []))
        data.append({"type": question["type"], "value": value})
    return data
