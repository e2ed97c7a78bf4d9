"""The client portal's part of the demo (README: "Client portal"): Emma Clarke, the bride of the demo's wedding,
finds something in each list of her portal. Runs after every other app's demo (seed_demo's DEMO_APPS), since it
joins their rows: her wedding gallery, opened once with her address (as a client who unlocked it), and the
"Session planning" questionnaire sent for her wedding. Idempotent."""

from crm.models import Client, Questionnaire, QuestionnaireRequest
from crm.questionnaires import send_questionnaire
from galleries.access import grant_access
from galleries.demo import CODE
from galleries.models import Gallery, GalleryAccess

DEMO_STUDIO = "northlight"
BRIDE = "emma.clarke@example.test"


def seed(studio, stdout) -> None:
    if studio.slug != DEMO_STUDIO:
        return
    emma = Client.objects.for_studio(studio).filter(email__iexact=BRIDE).first()
    if emma is None:
        return
    gallery = Gallery.objects.for_studio(studio).filter(access_code=CODE).first()
    if gallery is not None and not GalleryAccess.objects.filter(gallery=gallery, email__iexact=BRIDE).exists():
        gallery.studio = studio
        grant_access(gallery, email=BRIDE)
    planning = Questionnaire.objects.for_studio(studio).filter(name="Session planning").first()
    wedding = emma.bookings.order_by("start").first()
    if planning is not None and not QuestionnaireRequest.objects.for_studio(studio).filter(client=emma).exists():
        send_questionnaire(studio, emma, planning, booking=wedding)
    stdout.write(f"  portal: {emma.name} ({BRIDE}) has a gallery and a questionnaire in her portal")
