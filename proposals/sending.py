"""Sending a proposal: the e-mail with its link goes into the outbox in the same transaction, and
`proposal.sent` is published (the webhooks hear it); withdrawing publishes `proposal.withdrawn`."""

from django.db import transaction
from django.utils import timezone

from studios import events
from studios.errors import CONFLICT, INVALID, DomainError
from studios.links import studio_url
from studios.outbox import send_templated_email

from .models import Proposal


class ProposalError(DomainError):
    """A proposal cannot be sent, accepted or declined now; `kind` says why (invalid, conflict, gone…)."""


def proposal_link(proposal: Proposal) -> str:
    """The client's page for this proposal on the studio's site (its primary host, studios/links.py)."""
    return studio_url(proposal.studio, f"/proposals/{proposal.token}/")


def check_belongs(proposal: Proposal) -> None:
    """Everything the proposal names is its own studio's (the admin form and the API scope their choices too)."""
    studio_id = proposal.studio_id
    named = [proposal.client, proposal.session_type, proposal.contract_template]
    if any(obj is not None and obj.studio_id != studio_id for obj in named):
        raise ProposalError("not_this_studio", "The client, package and contract must be this studio's.", INVALID)


@transaction.atomic
def send_proposal(proposal: Proposal, *, by=None, now=None) -> Proposal:
    """Send (or send again) the proposal's link to the client. An accepted, declined or expired one is closed."""
    now = now or timezone.now()
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("studio", "client", "session_type")
        .get(pk=proposal.pk)
    )
    check_belongs(proposal)
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.SENT, Proposal.Status.VIEWED):
        raise ProposalError(
            "proposal_closed", f"This proposal is {proposal.get_status_display().lower()}; make a new one.", CONFLICT
        )
    if proposal.expires_at is not None and proposal.expires_at <= now:
        raise ProposalError("proposal_expired", "The expiry date has passed; set a later one before sending.", INVALID)
    if not proposal.session_type.is_active:
        raise ProposalError("package_inactive", f"{proposal.session_type.name} is not offered any more.", INVALID)
    if proposal.start is not None and proposal.start <= now:
        raise ProposalError("in_the_past", "The proposed time has passed; choose a later one.", INVALID)
    if proposal.status == Proposal.Status.DRAFT:
        proposal.status = Proposal.Status.SENT
    proposal.sent_at, proposal.sent_by = now, by
    proposal.save(update_fields=["status", "sent_at", "sent_by"])
    send_templated_email(
        proposal.studio,
        "proposal",
        [proposal.client.email],
        {"proposal": proposal, "client": proposal.client, "studio": proposal.studio, "link": proposal_link(proposal)},
        # Each sending is its own message; a repeat within the same request is one.
        key=f"proposal:{proposal.pk}:sent:{now.timestamp():.0f}",
        about=proposal,
        studio_time=True,
    )
    events.publish(proposal.studio, "proposal.sent", proposal, by=by)
    return proposal


@transaction.atomic
def void_proposal(proposal: Proposal, *, now=None) -> Proposal:
    """The studio withdraws a proposal it has not had accepted: the link then says so and accepting is refused
    (`proposal_void`). Voiding a withdrawn one again changes nothing; an accepted one has a booking, which is
    cancelled as a booking (`proposal_accepted`); a declined one is closed already (`proposal_closed`)."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if proposal.status == Proposal.Status.VOID:
        return proposal
    if proposal.status == Proposal.Status.ACCEPTED:
        raise ProposalError("proposal_accepted", "This proposal is accepted: cancel its booking instead.", CONFLICT)
    if proposal.status == Proposal.Status.DECLINED:
        raise ProposalError("proposal_closed", "The client declined this proposal; nothing to withdraw.", CONFLICT)
    proposal.status, proposal.voided_at = Proposal.Status.VOID, now
    proposal.save(update_fields=["status", "voided_at"])
    events.publish(proposal.studio, "proposal.withdrawn", proposal)
    return proposal
