"""The demo association: pages, blog posts, authors, comments and two people to log in as.

Everything is made here, offline: the pictures are drawn with Pillow, not downloaded.
"""

from __future__ import annotations

import io
import math
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group, Permission
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.models import Page, Site

from tide.accounts.models import User
from tide.association.models import AssociationSettings

from .models import (
    BlogAuthor,
    BlogCategory,
    BlogIndexPage,
    BlogPage,
    BlogPageAuthor,
    Comment,
    CustomImage,
    HomePage,
    StandardPage,
)

STAFF_EMAIL = "staff@tide.example"
MEMBER_EMAIL = "member@tide.example"
DEMO_PASSWORD = "tide-demo-password"  # nosec B105
# A fixed authenticator secret so the demo staff login can show the back office at once;
# `tide demo_mfa_code` prints its current code. Never used outside the demo accounts.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # nosec B105
DEMO_EMAILS = (STAFF_EMAIL, MEMBER_EMAIL)


def _picture(seed: int, size: tuple[int, int] = (1600, 900)) -> ImageFile:
    """A calm abstract of waves in sea and sand colours."""
    rng = random.Random(seed)  # nosec B311
    width, height = size
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    top = (rng.randint(180, 225), rng.randint(225, 240), rng.randint(225, 238))
    bottom = (rng.randint(10, 40), rng.randint(90, 120), rng.randint(100, 125))
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for band in range(5):
        base = height * (0.45 + band * 0.11)
        amplitude = rng.randint(18, 40)
        period = rng.randint(500, 900)
        phase = rng.random() * math.tau
        shade = 255 - band * 22
        points = [
            (x, base + amplitude * math.sin(phase + x / period * math.tau))
            for x in range(0, width + 20, 20)
        ]
        draw.polygon(
            [*points, (width, height), (0, height)],
            fill=(shade, int(shade * 0.96), int(shade * 0.9)),
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=82)
    return ImageFile(buffer, name=f"demo-{seed}.jpg")


def _portrait(name: str, seed: int) -> CustomImage:
    """A round-friendly square with the person's initials, standing in for a photo."""
    rng = random.Random(seed)  # nosec B311
    picture = PILImage.new(
        "RGB", (480, 480), (rng.randint(15, 40), rng.randint(95, 125), rng.randint(100, 125))
    )
    draw = ImageDraw.Draw(picture)
    initials = "".join(word[0] for word in name.replace("Dr. ", "").split()[:2]).upper()
    draw.text((240, 240), initials, fill=(246, 241, 231), anchor="mm", font_size=190)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return CustomImage.objects.create(
        title=name, file=ImageFile(buffer, name=f"portrait-{seed}.jpg")
    )


def _image(
    title: str, seed: int, credit: str = "Illustration: Tide demo", size=(1600, 900)
) -> CustomImage:
    return CustomImage.objects.create(title=title, file=_picture(seed, size), credit=credit)


def _paragraphs(*texts: str) -> list[tuple[str, str]]:
    return [("paragraph", f"<p>{text}</p>") for text in texts]


POSTS = [
    (
        "Why direct billing matters to your patients",
        "Patients choose clinics that bill their insurer directly. Here is how to set it up and what to tell patients.",
        ["practice", "insurance"],
        ["billing", "patients"],
    ),
    (
        "The GST/HST exemption: where the campaign stands",
        "Massage therapy is still taxed while other health services are not. An update on the national petition.",
        ["advocacy"],
        ["gst", "petition"],
    ),
    (
        "Five habits that protect your hands over a long career",
        "Small changes to table height, stance and scheduling add years to a practice.",
        ["practice", "research"],
        ["self-care"],
    ),
    (
        "What the new evidence says about massage for low back pain",
        "A plain-language summary of recent trials and what they mean in the treatment room.",
        ["research"],
        ["evidence", "back pain"],
    ),
    (
        "Choosing professional liability insurance",
        "Occurrence or claims-made, per-occurrence limits, tail coverage: a guide for new graduates.",
        ["insurance"],
        ["new graduates"],
    ),
    (
        "Welcoming new graduates to the profession",
        "Your first year in practice: mentorship, continuing education and the community around you.",
        ["community"],
        ["new graduates"],
    ),
    (
        "Motor-vehicle-accident claims without the paperwork headache",
        "How to document treatment for auto insurers and get paid on time.",
        ["practice", "insurance"],
        ["billing", "mva"],
    ),
    (
        "Meeting your MPP: a short guide for members",
        "A friendly visit to a constituency office can move a file. Here is what to bring and what to ask.",
        ["advocacy"],
        ["advocacy", "petition"],
    ),
    (
        "Continuing education that counts",
        "How credits, categories and cycles work, and how to keep your record up to date.",
        ["community", "research"],
        ["continuing education"],
    ),
    (
        "Accessible clinics: simple changes that welcome everyone",
        "Ramps are a start. Lighting, scent-free rooms and clear booking pages matter too.",
        ["practice", "community"],
        ["accessibility", "patients"],
    ),
]

BODY = (
    "Registered massage therapists see the same questions again and again in the treatment room. "
    "This post gathers what our members told us, what the research says and what you can do this week.",
    "Start with what your patients already know. Most have extended health benefits through work, and many "
    "do not know how much of their coverage goes unused each year. A short conversation at booking helps.",
    "Keep records that tell the story of care: the assessment, the plan, the treatment and the outcome. "
    "Good notes protect you, help your patients and make every claim simpler.",
    "Finally, lean on your association. We answer members' questions every day, and the answers you need "
    "are often one email away.",
)


@transaction.atomic
def demo_load() -> bool:
    """Create the demo association once; returns False if it was already there."""
    _demo_users()
    if HomePage.objects.exists():
        return False

    settings = AssociationSettings.load()
    settings.name = "Tide Massage Therapists' Association"
    settings.short_name = "Tide RMTs"
    settings.tagline = "A rising tide lifts all boats."
    settings.description = (
        "The voice of registered massage therapists: standards, education, insurance and advocacy, "
        "and a directory patients trust."
    )
    settings.street_address = "100 Harbour Street, Suite 400"
    settings.city = "Toronto"
    settings.province = "ON"
    settings.postal_code = "M5J 1B7"
    settings.email = "hello@tide.example"
    settings.phone = "416 555 0142"
    settings.save()

    root = Page.get_first_root_node()
    for page in Page.objects.filter(depth=2):  # Wagtail's "Welcome" page
        page.delete()
    root.refresh_from_db()

    home = root.add_child(
        instance=HomePage(
            title="Home",
            slug="home",
            hero_heading="Registered massage therapists, stronger together",
            hero_text=(
                "We support RMTs with continuing education, preferred-rate insurance and a strong voice, "
                "and we help patients find a therapist they can trust."
            ),
            hero_image=_image("Waves at dawn", 1),
            hero_primary_label="Become a member",
            latest_posts_heading="From the blog",
        )
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Tide"},
    )

    about = home.add_child(
        instance=StandardPage(
            title="About",
            slug="about",
            show_in_menus=True,
            intro="We are a not-for-profit association of registered massage therapists.",
            body=[
                *_paragraphs(
                    "Founded by therapists for therapists, the association sets the standard for professional "
                    "practice, helps members grow through continuing education and speaks for the profession "
                    "to governments and insurers.",
                ),
                ("heading", {"text": "What we believe", "level": "h2"}),
                *_paragraphs(
                    "Massage therapy is health care. Patients deserve therapists who are well trained, well "
                    "insured and easy to find, and therapists deserve fair access to the benefits their patients pay for.",
                ),
                ("quote", {"quote": "A rising tide lifts all boats.", "attribution": "Our motto"}),
            ],
        )
    )
    advocacy = home.add_child(
        instance=StandardPage(
            title="Advocacy",
            slug="advocacy",
            show_in_menus=True,
            intro="We speak for registered massage therapists and their patients.",
            hero_image=_image("Harbour lights", 2),
            body=[
                ("heading", {"text": "Remove GST/HST from massage therapy", "level": "h2"}),
                *_paragraphs(
                    "Most health services are exempt from GST/HST. Massage therapy is not, so patients pay more "
                    "for care. A national petition gathered 18,362 signatures; the work continues with MPs.",
                ),
                ("heading", {"text": "Fair access to insurance funds", "level": "h2"}),
                *_paragraphs(
                    "We press extended-health and auto insurers for fair coverage and simpler claims.",
                ),
            ],
        )
    )
    insurance = home.add_child(
        instance=StandardPage(
            title="Insurance",
            slug="insurance",
            show_in_menus=True,
            intro="Preferred-rate professional liability insurance for members.",
            body=[
                *_paragraphs(
                    "Our group program offers $2 million per occurrence and $5 million aggregate, on an "
                    "occurrence form, so you stay covered for incidents during the policy whenever they are claimed.",
                ),
                ("heading", {"text": "Who can buy it", "level": "h2"}),
                *_paragraphs(
                    "Members in good standing whose level includes insurance eligibility."
                ),
            ],
        )
    )
    blog = home.add_child(
        instance=BlogIndexPage(
            title="Blog",
            slug="blog",
            show_in_menus=True,
            intro="News, research and practical advice for registered massage therapists and their patients.",
        )
    )
    home.add_child(
        instance=StandardPage(
            title="Contact",
            slug="contact",
            show_in_menus=True,
            intro="Questions about membership, insurance or finding a therapist? We are glad to help.",
            body=_paragraphs("Our office is open Monday to Friday, 9 a.m. to 5 p.m. Eastern time."),
            show_contact_details=True,
        )
    )
    settings.privacy_page = home.add_child(
        instance=StandardPage(
            title="Privacy policy",
            slug="privacy",
            intro="How we collect, use and protect your personal information.",
            body=[
                *_paragraphs(
                    "We collect only what we need to serve members and patients: your name and contact details, "
                    "your membership and professional details, and what you choose to share in your directory listing.",
                    "We never sell personal information. We share it only with service providers who act for us "
                    "(payment and email), under contract, and as the law requires.",
                    "You can ask for a copy of your information, or for its correction or deletion, by writing to "
                    "our privacy officer at the address below.",
                ),
            ],
            show_contact_details=True,
        )
    )
    settings.save()
    home.hero_primary_page = about
    home.hero_secondary_page = blog
    home.hero_secondary_label = "Read the blog"
    home.body = [
        (
            "cards",
            {
                "heading": "For members",
                "intro": "Everything you need to practise well.",
                "cards": [
                    {
                        "title": "Continuing education",
                        "text": "Courses and events that count toward your credits.",
                        "page": blog,
                    },
                    {
                        "title": "Preferred-rate insurance",
                        "text": "Liability coverage that meets your regulator's minimums.",
                        "page": insurance,
                    },
                    {
                        "title": "A strong voice",
                        "text": "Advocacy for fair taxes and fair access to benefits.",
                        "page": advocacy,
                    },
                ],
            },
        ),
        (
            "cards",
            {
                "heading": "For patients",
                "intro": "Find care you can trust.",
                "cards": [
                    {
                        "title": "Find an RMT",
                        "text": "Search for a registered massage therapist near you.",
                        "page": about,
                    },
                    {
                        "title": "What to expect",
                        "text": "Your first visit, consent and comfort.",
                        "page": about,
                    },
                    {
                        "title": "Using your benefits",
                        "text": "How direct billing and receipts work.",
                        "page": blog,
                    },
                ],
            },
        ),
    ]
    home.save_revision().publish()

    authors = [
        BlogAuthor.objects.create(
            name="Priya Raman",
            role="Registered Massage Therapist",
            organisation="Harbourfront Wellness Clinic",
            bio="Priya has practised for twelve years and chairs the association's practice committee.",
            photo=_portrait("Priya Raman", 11),
            email=STAFF_EMAIL,
        ),
        BlogAuthor.objects.create(
            name="Marc Tremblay",
            role="Director of Advocacy",
            organisation="Tide Massage Therapists' Association",
            bio="Marc leads the association's work with governments and insurers.",
            photo=_portrait("Marc Tremblay", 12),
        ),
        BlogAuthor.objects.create(
            name="Dr. Hannah Okafor",
            role="Researcher",
            organisation="Lakeshore College of Health Sciences",
            bio="Hannah studies manual therapy outcomes and writes our research summaries.",
        ),
    ]
    categories = {
        slug: BlogCategory.objects.create(name=name, slug=slug)
        for slug, name in [
            ("practice", "Practice"),
            ("advocacy", "Advocacy"),
            ("research", "Research"),
            ("insurance", "Insurance"),
            ("community", "Community"),
        ]
    }
    today = timezone.localdate()
    posts = []
    for number, (title, intro, category_slugs, tags) in enumerate(POSTS):
        post = BlogPage(
            title=title,
            intro=intro,
            date=today - timedelta(days=9 * number + 2),
            hero_image=_image(title, 100 + number) if number % 3 != 2 else None,
            body=_paragraphs(*BODY),
        )
        blog.add_child(instance=post)
        post.post_authors.add(BlogPageAuthor(author=authors[number % len(authors)]))
        if number % 4 == 0:
            post.post_authors.add(BlogPageAuthor(author=authors[(number + 1) % len(authors)]))
        post.categories.set([categories[slug] for slug in category_slugs])
        post.tags.add(*tags)
        post.save_revision().publish()
        posts.append(post)

    for post, name, email, body, status in [
        (
            posts[0],
            "Dana K.",
            "dana@example.com",
            "This helped me set up direct billing with two insurers in one afternoon. Thank you!",
            Comment.Status.APPROVED,
        ),
        (
            posts[0],
            "Sam Lee",
            "sam@example.com",
            "Do you have a template for the patient consent form?",
            Comment.Status.PENDING,
        ),
        (
            posts[1],
            "Buy cheap watches",
            "spam@example.net",
            "Great post! Visit my site for cheap watches.",
            Comment.Status.SPAM,
        ),
    ]:
        Comment.objects.create(
            post=post,
            name=name,
            email=email,
            body=body,
            status=status,
            fingerprint=Comment.fingerprint_of(email, body),
        )
    return True


def _demo_users() -> None:
    staff, created = User.objects.get_or_create(
        email=STAFF_EMAIL,
        defaults={
            "first_name": "Sasha",
            "last_name": "Morin",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        staff.set_password(DEMO_PASSWORD)
        staff.save()
        EmailAddress.objects.create(user=staff, email=STAFF_EMAIL, primary=True, verified=True)
        TOTP.activate(staff, DEMO_TOTP_SECRET)
    member, created = User.objects.get_or_create(
        email=MEMBER_EMAIL, defaults={"first_name": "Jordan", "last_name": "Lee"}
    )
    if created:
        member.set_password(DEMO_PASSWORD)
        member.save()
        EmailAddress.objects.create(user=member, email=MEMBER_EMAIL, primary=True, verified=True)
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="website", codename__in=["change_comment", "delete_comment"]
        )
    )
