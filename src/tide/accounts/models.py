from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager):
    """Users are keyed by email; there is no username."""

    def _create_user(self, email, password, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        # The staff members list reads people in this order, a page at a time.
        indexes = [models.Index(fields=["last_name", "first_name", "email"], name="user_by_name")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def can_open_back_office(self) -> bool:
        """Staff, or a group with Wagtail's admin access; all of them must use a second factor."""
        return self.is_staff or self.is_superuser or self.has_perm("wagtailadmin.access_admin")


class AccountClosureRequest(models.Model):
    """A person asked for their account to be closed; staff close it from the back office."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        CLOSED = "closed", _("Account closed")

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="closure_requests"
    )
    reason = models.TextField(_("reason given"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    handled_by = models.ForeignKey(
        User,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("account closure request")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return _("Closure of %(account)s") % {"account": self.user}
