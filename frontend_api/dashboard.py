"""The "Developers" panel of the studio dashboard: API keys and failing webhook deliveries."""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from studios.dashboard import StudioPanel

from .models import ApiKey, WebhookDelivery, WebhookEndpoint

FAILING = [WebhookDelivery.Status.FAILED, WebhookDelivery.Status.RETRYING]


class DevelopersPanel(StudioPanel):
    name = "developers"
    heading = "Developers"
    order = 90
    template_name = "frontend_api/admin/dashboard_panel.html"
    window = timedelta(days=7)

    def get_panel_context(self):
        keys = ApiKey.objects.for_studio(self.studio).active().aggregate(count=Count("id"), last=Max("last_used_at"))
        since = timezone.now() - self.window
        failing = list(
            WebhookDelivery.objects.for_studio(self.studio)
            .filter(status__in=FAILING, created_at__gte=since)
            .select_related("endpoint")
            .order_by("-created_at")[:5]
        )
        counts = WebhookDelivery.objects.for_studio(self.studio).aggregate(
            failing=Count("id", filter=Q(status__in=FAILING, created_at__gte=since))
        )
        return {
            "key_count": keys["count"],
            "keys_last_used": keys["last"],
            "endpoint_count": WebhookEndpoint.objects.for_studio(self.studio).filter(is_active=True).count(),
            "failing": failing,
            "failing_count": counts["failing"],
            "keys_url": reverse("api_keys:index"),
            "endpoints_url": reverse("webhook_endpoints:index"),
            "deliveries_url": reverse("webhook_deliveries:index"),
        }

    def is_shown(self):
        # Only for studios that use the API; everyone else has nothing to see here.
        return (
            ApiKey.objects.for_studio(self.studio).exists() or WebhookEndpoint.objects.for_studio(self.studio).exists()
        )
