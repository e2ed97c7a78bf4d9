"""The studio site's own part of a new studio: its portfolio index, first under the home page."""

from wagtail import hooks

from .models import PortfolioIndexPage


@hooks.register("studio_pages", order=10)
def portfolio_index(studio):
    return [PortfolioIndexPage(title="Portfolio", slug="portfolio", show_in_menus=True)]
