"""Importing a CSV or a Mailchimp ZIP (dry run first, problems per row), and exporting a list."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import login, make_user
from tide.mailing.models import Consent, Contact, ContactImport, SuppressionReason, may_send
from tide.mailing.services import contact_suppress

from .factories import make_list, subscribe

pytestmark = pytest.mark.django_db
WORDING = "Signed up on our old Mailchimp form."
CSV = (
    "email,first_name,last_name,optin_time,optin_ip\n"
    "ana@example.com,Ana,Silva,2024-03-01 10:00:00,198.51.100.7\n"
    "not-an-address,Bad,Row,,\n"
    "BO@example.com,Bo,,,\n"
    "ana@example.com,Ana,Again,,\n"
)


def _mailchimp_zip() -> bytes:
    buffer = io.BytesIO()
    header = "Email Address,First Name,Last Name,OPTIN_TIME,OPTIN_IP\n"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "subscribed_members_export_1.csv",
            header + "sub@example.com,Su,B,2023-05-02 08:00:00,203.0.113.5\n",
        )
        archive.writestr("unsubscribed_members_export_1.csv", header + "gone@example.com,Go,Ne,,\n")
        archive.writestr("cleaned_members_export_1.csv", header + "bounced@example.com,Bo,Unce,,\n")
    return buffer.getvalue()


@pytest.fixture
def newsletter():
    return make_list()


def _import(
    tmp_path, newsletter, content: bytes, name: str = "people.csv", dry_run: bool = False
) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    args = [str(path), "--list", newsletter.slug, "--wording", WORDING]
    call_command("mailing_import", *args, *(["--dry-run"] if dry_run else []), stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_problems_per_row_and_imports_nothing(tmp_path, newsletter):
    report = _import(tmp_path, newsletter, CSV.encode(), dry_run=True)

    assert "Dry run: nothing was imported." in report
    assert "4 rows: 2 new contacts, 2 subscribed, 0 suppressed, 2 with problems." in report
    assert "line 3: not-an-address: Enter an email address like name@example.com." in report
    assert "line 5: ana@example.com: appears more than once" in report
    assert not Contact.objects.exists()


def test_the_import_keeps_opt_in_times_and_ips_as_consent_evidence(tmp_path, newsletter):
    _import(tmp_path, newsletter, CSV.encode())

    ana = Contact.objects.get(email="ana@example.com")
    consent = Consent.objects.get(contact=ana)
    assert (consent.source, consent.kind, consent.wording) == ("import", "express", WORDING)
    assert consent.given_at.isoformat().startswith("2024-03-01T10:00:00")
    assert consent.ip_address == "198.51.100.7"
    assert may_send(Contact.objects.get(email="bo@example.com"), newsletter)


def test_a_mailchimp_zip_imports_unsubscribed_and_cleaned_as_suppressed(tmp_path, newsletter):
    report = _import(tmp_path, newsletter, _mailchimp_zip(), name="export.zip")

    assert "3 rows: 3 new contacts, 1 subscribed, 2 suppressed" in report
    assert may_send(Contact.objects.get(email="sub@example.com"), newsletter)
    gone = Contact.objects.get(email="gone@example.com")
    bounced = Contact.objects.get(email="bounced@example.com")
    assert gone.suppressed_reason == "imported_unsubscribed"
    assert bounced.suppressed_reason == "imported_cleaned"
    assert not Consent.objects.filter(contact__in=[gone, bounced]).exists()


def test_an_import_never_resubscribes_a_suppressed_address(tmp_path, newsletter):
    contact = subscribe(make_list(name="Other", slug="other"), "ana@example.com")
    contact_suppress(contact=contact, reason=SuppressionReason.UNSUBSCRIBED)

    report = _import(tmp_path, newsletter, CSV.encode())

    assert "ana@example.com: suppressed (left every list): not subscribed" in report
    assert not may_send(contact, newsletter)
    # And importing the Mailchimp "unsubscribed" file twice still never subscribes anyone.
    _import(tmp_path, newsletter, _mailchimp_zip(), name="export.zip")
    _import(tmp_path, newsletter, _mailchimp_zip(), name="export.zip")
    assert not may_send(Contact.objects.get(email="gone@example.com"), newsletter)


def test_a_file_in_the_wrong_encoding_is_explained_and_nothing_is_imported(tmp_path, newsletter):
    latin1 = "email,first_name\nlea@example.com,Léa\n".encode("latin-1")

    with pytest.raises(CommandError, match="is not UTF-8 text, so nothing was imported"):
        _import(tmp_path, newsletter, latin1)
    assert not Contact.objects.exists()


def test_missing_columns_are_explained_and_nothing_is_imported(tmp_path, newsletter):
    with pytest.raises(CommandError, match=r"has no email column.*Columns found: name, phone"):
        _import(tmp_path, newsletter, b"name,phone\nAna,555\n")
    assert not Contact.objects.exists()


@pytest.fixture
def importer(db):
    user = make_user("importer@example.com", staff=True, mfa=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="mailing", codename__in=["add_contact", "view_contact"]
        ),
    )
    return user


def test_staff_import_in_the_back_office_with_a_dry_run_first(
    client, importer, newsletter, django_capture_on_commit_callbacks
):
    login(client, importer)
    data = {"mailing_list": newsletter.pk, "wording": WORDING, "dry_run": "on"}

    with django_capture_on_commit_callbacks(execute=True):
        dry = client.post(
            reverse("mailing_admin_import"),
            {**data, "file": SimpleUploadedFile("people.csv", CSV.encode(), "text/csv")},
        )
    assert dry.status_code == 302
    page = client.get(dry["Location"]).content.decode()
    assert "Dry run report" in page
    assert "4 rows: 2 new contacts, 2 subscribed, 0 suppressed, 2 with problems." in page
    assert "appears more than once" in page
    assert not Contact.objects.exists()

    # The dry run's file is imported for real from its report, without uploading it again.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("mailing_admin_import_again", args=[ContactImport.objects.get().pk])
        )
    page = client.get(done["Location"]).content.decode()
    assert "Import report" in page and "Imported." in page
    assert Contact.objects.count() == 2
    assert ContactImport.objects.get(dry_run=False).data in (b"", memoryview(b""))
    again = client.post(
        reverse("mailing_admin_import_again", args=[ContactImport.objects.get(dry_run=True).pk])
    )
    assert (
        "Only a finished dry run can be imported." in client.get(again["Location"]).content.decode()
    )
    assert Consent.objects.count() == 2


def test_a_running_import_shows_a_progress_bar_that_polls_and_works_without_javascript(
    client, importer, newsletter
):
    job = ContactImport.objects.create(
        mailing_list=newsletter,
        wording=WORDING,
        file_name="big.csv",
        data=CSV.encode(),
        status=ContactImport.Status.RUNNING,
    )
    cache.set(f"mailing:import-progress:{job.pk}", 42)
    login(client, importer)

    page = client.get(reverse("mailing_admin_import_detail", args=[job.pk])).content.decode()

    assert '<progress max="100" value="42"' in page
    progress_url = reverse("mailing_admin_import_progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    partial = client.get(progress_url).content.decode()
    assert "42% done." in partial


def test_an_import_whose_worker_died_is_shown_as_failed(client, importer, newsletter):
    from datetime import timedelta

    from django.utils import timezone

    def running(minutes_ago: int) -> ContactImport:
        return ContactImport.objects.create(
            mailing_list=newsletter,
            wording=WORDING,
            file_name="big.csv",
            data=CSV.encode(),
            status=ContactImport.Status.RUNNING,
            started_at=timezone.now() - timedelta(minutes=minutes_ago),
        )

    stalled, busy = running(90), running(5)
    login(client, importer)

    call_command("mailing_resume_sends", verbosity=0)

    stalled.refresh_from_db(), busy.refresh_from_db()
    assert (stalled.status, busy.status) == ("failed", "running")
    page = client.get(reverse("mailing_admin_import_detail", args=[stalled.pk])).content.decode()
    assert "stopped before it finished; nothing was imported" in page


def test_a_hundred_thousand_row_file_is_imported_in_the_background(
    client, importer, newsletter, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    rows = "".join(
        f"reader{n}@example.com,Reader{n},,2024-01-02 03:04:05,\n" for n in range(100_000)
    )
    content = ("email,first_name,last_name,optin_time,optin_ip\n" + rows).encode()
    login(client, importer)

    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(1500):
        response = client.post(
            reverse("mailing_admin_import"),
            {
                "mailing_list": newsletter.pk,
                "wording": WORDING,
                "file": SimpleUploadedFile("big.csv", content, "text/csv"),
            },
        )

    page = client.get(response["Location"]).content.decode()
    assert "100000 rows: 100000 new contacts, 100000 subscribed" in page
    assert Contact.objects.count() == 100_000
    assert Consent.objects.filter(mailing_list=newsletter, kind="express").count() == 100_000


def test_a_bad_upload_is_explained_with_400(client, importer, newsletter):
    login(client, importer)
    response = client.post(
        reverse("mailing_admin_import"),
        {
            "mailing_list": newsletter.pk,
            "wording": WORDING,
            "file": SimpleUploadedFile("people.csv", "é".encode("latin-1"), "text/csv"),
        },
    )

    assert response.status_code == 400
    assert "is not UTF-8 text" in response.content.decode()


@pytest.mark.parametrize("persona", ["member", "staff_without_permission"])
def test_import_and_export_are_refused_without_the_permission(client, newsletter, persona, request):
    login(client, request.getfixturevalue(persona))

    for url in (
        reverse("mailing_admin_import"),
        reverse("mailing_admin_list_export", args=[newsletter.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or "/login/" in response["Location"]


def test_the_export_lists_sendable_contacts_with_their_consent_and_escapes_formulas(
    client, importer, newsletter
):
    subscribe(newsletter, "ana@example.com", first_name="=HYPERLINK(1)")
    left = subscribe(newsletter, "left@example.com")
    contact_suppress(contact=left, reason=SuppressionReason.COMPLAINT)
    login(client, importer)

    response = client.get(reverse("mailing_admin_list_export", args=[newsletter.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["email", "first_name", "last_name"]
    assert [row[0] for row in rows[1:]] == ["ana@example.com"]
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][3:5] == ["express", "form"]


def test_old_imports_lose_the_addresses_they_kept(client, importer, newsletter):
    from datetime import timedelta

    from django.utils import timezone

    def finished(days_ago: int) -> ContactImport:
        return ContactImport.objects.create(
            mailing_list=newsletter,
            wording=WORDING,
            file_name="old.csv",
            data=CSV.encode(),
            status=ContactImport.Status.DONE,
            finished_at=timezone.now() - timedelta(days=days_ago),
            report={
                "counts": {"rows": 3, "problems": 1},
                "problems": [["old.csv", 3, "bad@@example", "Not an email address"]],
            },
        )

    recent, week_old, month_old = finished(1), finished(8), finished(31)
    login(client, importer)

    call_command("mailing_purge_signups", verbosity=0)

    for job in (recent, week_old, month_old):
        job.refresh_from_db()
    assert bytes(recent.data) == CSV.encode() and recent.report["problems"]
    assert bytes(week_old.data) == b"" and week_old.report["problems"]
    assert bytes(month_old.data) == b"" and "problems" not in month_old.report
    assert month_old.report["counts"]["rows"] == 3
    page = client.get(reverse("mailing_admin_import_detail", args=[month_old.pk])).content
    assert b"bad@@example" not in page and b"were deleted a month after" in page
