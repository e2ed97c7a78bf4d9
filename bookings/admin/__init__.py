"""Bookings in the Wagtail admin: viewsets, forms, filters, views, and the actions other apps add to a
booking's screen. `bookings/wagtail_hooks.py` registers them."""
