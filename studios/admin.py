"""Platform staff's side of tenancy (/django-admin/): studios, and verifying their custom domains.

Studios ask for a domain in Settings → Studio settings; staff check its DNS TXT record (FocusFlow does not
look up DNS itself) and mark it verified here, after which StudioMiddleware answers on it."""

from django.contrib import admin, messages
from django.utils import timezone

from . import outbox
from .models import OutgoingEmail, Studio, StudioDomain
from .tenancy import forget_hosts


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "currency", "created_at"]
    search_fields = ["name", "slug", "contact_email"]
    readonly_fields = ["site", "home_page", "collection", "group", "created_at"]
    actions = ["offboard"]

    @admin.action(description="Offboard: delete the studio's site, pages, media, files and every row")
    def offboard(self, request, queryset):
        # The task module imports Celery's app: loaded when the action runs, not with the admin.
        from .tasks import offboard_studio_task

        studios = list(queryset)
        for studio in studios:
            offboard_studio_task.delay(studio.pk)
        messages.success(request, f"{len(studios)} studio(s) queued for offboarding; nothing of them will remain.")


@admin.register(StudioDomain)
class StudioDomainAdmin(admin.ModelAdmin):
    list_display = ["hostname", "studio", "is_verified", "verified_at", "created_at"]
    list_filter = ["is_verified"]
    search_fields = ["hostname", "studio__name", "studio__slug"]
    readonly_fields = ["verification_token", "verified_at", "created_at"]
    actions = ["mark_verified", "mark_unverified"]

    @admin.action(description="Mark verified (the DNS TXT record checks out)")
    def mark_verified(self, request, queryset):
        domains = queryset.filter(is_verified=False)
        forget_hosts(*domains.values_list("hostname", flat=True))  # the cached "no studio here" (tenancy.py)
        count = domains.update(is_verified=True, verified_at=timezone.now())
        messages.success(request, f"{count} domain(s) verified: the studios' sites now answer on them.")

    @admin.action(description="Mark unverified (stop answering on the domain)")
    def mark_unverified(self, request, queryset):
        domains = queryset.filter(is_verified=True)
        forget_hosts(*domains.values_list("hostname", flat=True))
        count = domains.update(is_verified=False, verified_at=None)
        messages.success(request, f"{count} domain(s) switched off.")


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The e-mail outbox across studios: what is waiting, what failed and why; "send again" for a failed one."""

    list_display = ["created_at", "studio", "template", "recipients", "state", "attempts", "next_attempt_at"]
    list_filter = ["state", "template"]
    search_fields = ["key", "subject", "to", "studio__slug", "last_error"]
    # A client's message itself is not staff reading: only its envelope and its fate.
    exclude = ["body", "html", "attachments"]
    readonly_fields = [
        f.name for f in OutgoingEmail._meta.fields if f.name not in ("id", "body", "html", "attachments")
    ]
    actions = ["send_again"]

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again (failed e-mails get a new series of attempts)")
    def send_again(self, request, queryset):
        failed = list(queryset.filter(state=OutgoingEmail.State.FAILED))
        for email in failed:
            outbox.retry(email)
        messages.success(request, f"{len(failed)} e-mail(s) queued again.")
