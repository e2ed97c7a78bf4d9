"""The studio site's own part of a new studio: its portfolio index, first under the home page."""

from wagtail import hooks

from .models import PortfolioIndexPage


@hooks.register("studio_created", order=10)
def add_portfolio_index(studio, home):
    home.add_child(instance=PortfolioIndexPage(title="Portfolio", slug="portfolio", show_in_menus=True))
