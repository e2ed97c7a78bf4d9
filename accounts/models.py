"""The platform's user. Photographers sign in with their e-mail address."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class User(AbstractUser):
    # A project-owned user model from day one, so adding fields later is a
    # migration rather than a rewrite.
    email = models.EmailField("email address", unique=True)

    objects = UserManager()

    def __str__(self):
        return self.get_full_name() or self.email or self.username
