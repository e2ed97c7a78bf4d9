"""Template tags for the white-label studio site: theme, navigation, footer credit."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from cms import branding
from cms.csp import media_origins
from galleries.models import ClientGalleryIndexPage
from studios.formatting import format_duration, format_money

register = template.Library()


def _nonce(context) -> str:
    """The request's Content-Security-Policy nonce (cms.csp); empty outside a request."""
    return getattr(context.get("request"), "csp_nonce", "")


@register.simple_tag(takes_context=True)
def csp_nonce(context):
    """` nonce="…"` for an inline <script> or <style> on the client site: <script{% csp_nonce %}>."""
    nonce = _nonce(context)
    return format_html(' nonce="{}"', nonce) if nonce else ""


@register.simple_tag
def media_preconnect():
    """`<link rel="preconnect">` to where photos are served from when that is another origin (S3, a CDN):
    the connection is opened while the page's script runs, not when the first photo is asked for."""
    return format_html_join("", '<link rel="preconnect" href="{}">', ((origin,) for origin in media_origins()))


@register.simple_tag(takes_context=True)
def studio_theme(context, studio):
    """The studio's colours and font as CSS custom properties, in a <style> with the request's nonce.

    HTML escaping would break font names in quotes inside <style>; the values are
    safe because cms.branding only lets through hex colours and plain font stacks."""
    declarations = "".join(f"{name}:{value};" for name, value in branding.theme_variables(studio).items())
    return mark_safe(f"<style{csp_nonce(context)}>:root{{{declarations}}}</style>")  # noqa: S308 - checked values


@register.simple_tag
def studio_nav_pages(studio):
    """The pages under the studio's home that are marked "show in menus"."""
    if studio is None or studio.home_page_id is None:
        return []
    return list(studio.home_page.get_children().live().public().in_menu().specific())


@register.filter
def shows_powered_by(studio):
    return branding.shows_powered_by(studio)


@register.simple_tag
def gallery_index_url(studio):
    """Where clients enter their access code (the studio's client galleries page)."""
    if studio is None or studio.home_page_id is None:
        return ""
    page = ClientGalleryIndexPage.objects.child_of(studio.home_page).live().first()
    return page.relative_url(studio.site) if page and studio.site_id else ""


@register.filter
def price(minor_units, currency):
    """{{ invoice.total|price:invoice.currency }} → £1,250.00"""
    return format_money(int(minor_units or 0), str(currency or ""))


@register.filter
def duration(value):
    return format_duration(value)
