"""The Stripe event ledger in the platform admin (/django-admin/): dead-lettered events, and "retry now"."""

from django.contrib import admin, messages

from studios.background import publish_quietly

from ..models import StripeEvent
from ..tasks import process_stripe_event
from ..webhooks import UNFINISHED, retry_now


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "account", "status", "attempts", "next_attempt_at", "received_at"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "type", "account", "error"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]
    actions = ["retry_events"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the ledger is what Stripe sent: viewed and retried, never edited

    @admin.action(description="Retry now (failed or dead-lettered events get a new series of attempts)")
    def retry_events(self, request, queryset):
        events = list(queryset.filter(status__in=UNFINISHED))
        for event in events:
            retry_now(event)
            publish_quietly(process_stripe_event, event.pk)
        messages.success(request, f"{len(events)} event(s) queued again; applied events were left alone.")
