"""The blocks of a contract template; text blocks check their variables when the photographer saves."""

from django.core.exceptions import ValidationError
from wagtail import blocks

from .sandbox import VARIABLES, check

HELP = "Variables: " + ", ".join("{{ %s }}" % name for name in VARIABLES)  # noqa: UP031 - braces are literal


class SandboxCheckMixin:
    def clean(self, value):
        value = super().clean(value)
        errors = check(value or "")
        if errors:
            raise ValidationError(" ".join(errors))
        return value


class ContractHeadingBlock(SandboxCheckMixin, blocks.CharBlock):
    pass


class ContractParagraphBlock(SandboxCheckMixin, blocks.TextBlock):
    pass


class SignatureBlock(blocks.StructBlock):
    party = blocks.ChoiceBlock(choices=[("client", "Client"), ("photographer", "Photographer")])
    label = blocks.CharBlock(required=False, help_text="e.g. 'Signed by the couple'")

    class Meta:
        icon = "edit"


class ContractStreamBlock(blocks.StreamBlock):
    heading = ContractHeadingBlock(help_text=HELP)
    paragraph = ContractParagraphBlock(help_text=HELP)
    list = blocks.ListBlock(ContractHeadingBlock(label="Item"), icon="list-ul")
    signature = SignatureBlock()
