"""Content changes that visitors must see at once clear the page cache."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from tide.association.models import AssociationSettings
from tide.lib.pagecache import page_cache_clear

from .models import BlogAuthor, BlogCategory, CustomImage


def _clear(**kwargs) -> None:
    page_cache_clear()


def connect() -> None:
    page_published.connect(_clear, dispatch_uid="pagecache-published")
    page_unpublished.connect(_clear, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(_clear, dispatch_uid="pagecache-moved")
    for model in (Page, AssociationSettings, BlogAuthor, BlogCategory, CustomImage, Site):
        post_delete.connect(_clear, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
    for model in (AssociationSettings, BlogAuthor, BlogCategory, CustomImage, Site):
        post_save.connect(_clear, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
