"""The contract page on the studio's site (/contracts/<token>/, the link in the client's e-mail):
read it, sign it (static/site/contract.js posts to the client API), download the PDF, then pay."""

import base64

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.invoicing import invoice_summary_for_booking

from .models import Contract
from .signing import SigningError, mark_viewed


def client_link_missing(request, what: str):
    """A branded 404 for a contract or invoice link that is not this studio's (or no longer exists)."""
    return render(request, "cms/client_link_missing.html", {"what": what}, status=404)


@require_GET
def contract_page(request, token: str):
    studio = getattr(request, "studio", None)
    if studio is None:
        raise Http404
    contract = (
        Contract.objects.for_studio(studio)
        .select_related("client", "booking__session_type", "booking__studio")
        .prefetch_related("signatures")
        .filter(token=token)
        .first()
    )
    if contract is None:
        return client_link_missing(request, "contract")
    problem = None
    try:
        mark_viewed(contract)
    except SigningError as exc:  # the stored text no longer matches its hash: never offer it for signing
        problem = exc.message
    signatures = {signature.party: signature for signature in contract.signatures.all()}
    blocks = contract.body_blocks()
    for block in blocks:
        if block["kind"] == "signature" and block["party"] in signatures:
            signature = block["signature"] = signatures[block["party"]]
            if signature.image_png:
                block["signature_src"] = "data:image/png;base64," + base64.b64encode(signature.image_png).decode()
    context = {
        "contract": contract,
        "blocks": blocks,
        "client_signature": signatures.get("client"),
        "can_sign": problem is None and contract.status in (Contract.Status.SENT, Contract.Status.VIEWED),
        "problem": problem,
        "invoice": invoice_summary_for_booking(contract.booking) if contract.is_signed else None,
    }
    return render(request, "contracts/contract_page.html", context)
