"""The public pages every browser check visits, on the demo association (tide.website.demo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tide.website.demo import demo_load
from tide.website.models import BlogAuthor, BlogPage, Comment


def _submit_empty_login(page: Page) -> None:
    # Skip the browser's own checks so the server's messages under the fields show.
    page.locator("main form").first.evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.locator(".field__error").first).to_be_visible()


def _submit_wrong_password(page: Page) -> None:
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.locator(".alert--error")).to_be_visible()


@dataclass(frozen=True)
class PublicPage:
    name: str
    path: str
    then: Callable[[Page], None] | None = None
    status: int = 200


def demo_pages() -> list[PublicPage]:
    """Load the demo association and list its pages (a post with an approved comment among them)."""
    demo_load()
    post = BlogPage.objects.filter(comments__status=Comment.Status.APPROVED).first()
    author = BlogAuthor.objects.filter(photo__isnull=False, author_posts__isnull=False).first()
    blog = post.get_parent()
    return [
        PublicPage("home", "/"),
        PublicPage("blog-index", blog.url),
        PublicPage("post", post.url),
        PublicPage("author-archive", f"{blog.url}author/{author.slug}/"),
        PublicPage("search-results", "/search/?q=billing"),
        PublicPage("not-found", "/no-such-page/", status=404),
        PublicPage("login", "/accounts/login/"),
        PublicPage("signup", "/accounts/signup/"),
        PublicPage("login-errors", "/accounts/login/", then=_submit_empty_login, status=200),
        PublicPage("login-wrong-password", "/accounts/login/", then=_submit_wrong_password),
    ]


def open_page(page: Page, base_url: str, target: PublicPage) -> None:
    response = page.goto(base_url + target.path)
    assert response is not None
    assert response.status == target.status, (
        f"{target.name}: {target.path} answered {response.status}"
    )
    if target.then:
        target.then(page)


def load_lazy_images(page: Page) -> None:
    """Scroll through the page so lazy images load, then back to the top."""
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
                window.scrollTo(0, y);
                await new Promise(r => setTimeout(r, 50));
            }
            window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_function("Array.from(document.images).every(img => img.complete)")
