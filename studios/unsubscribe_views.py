"""One-click unsubscribe from a studio's marketing-type e-mail (RFC 8058), on the studio's own site.

`List-Unsubscribe: <https://<studio host>/email/unsubscribe/<token>/>` with `List-Unsubscribe-Post:
List-Unsubscribe=One-Click`: the mail client POSTs `List-Unsubscribe=One-Click` there (no cookies, no CSRF
token: the signed token is the authority). A person who follows the link gets a page with a button (a GET
never unsubscribes: link scanners open every link) and can subscribe again. The token names its studio: on
another studio's host it is 404."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import suppression


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    studio = getattr(request, "studio", None)
    parsed = suppression.read_unsubscribe_token(token)
    if studio is None or parsed is None or parsed[0] != studio.pk:
        raise Http404("This unsubscribe link is not valid here.")
    address = parsed[1]
    done = ""
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            suppression.resubscribe(studio, address)
            done = "resubscribed"
        else:  # "List-Unsubscribe=One-Click" from a mail client, or the page's button
            suppression.unsubscribe(studio, address)
            done = "unsubscribed"
    context = {
        "address": address,
        "done": done,
        "unsubscribed": suppression.is_unsubscribed(studio, address),
    }
    return render(request, "studios/unsubscribe.html", context)
