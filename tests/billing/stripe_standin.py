"""A stand-in for Stripe's API on loopback, and webhook events signed the way Stripe signs them.

The stand-in is the only double in the Stripe tests, and it sits at the HTTP edge: Tide's code
and Stripe's own SDK run unchanged against it. Like Stripe, it answers a repeated
Idempotency-Key with the session it made the first time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

from django.test import Client
from django.urls import reverse

from tide.billing.models import Invoice

FIXTURES = Path(__file__).parent / "fixtures"
SECRET_KEY = "sk_test_tide_standin"
WEBHOOK_SECRET = "whsec_tide_standin_0123456789abcdef"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


@dataclass
class StripeStandIn:
    url: str = ""
    down: bool = False
    requests: list[Received] = field(default_factory=list)
    sessions: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    customers: dict[str, dict] = field(default_factory=dict)
    setup_intents: dict[str, dict] = field(default_factory=dict)
    payment_intents: dict[str, dict] = field(default_factory=dict)
    decline: bool = False  # off-session charges are declined, as a card with no funds is
    _made: int = 0
    _by_key: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def session_creations(self) -> list[Received]:
        return [r for r in self.requests if (r.method, r.path) == ("POST", "/v1/checkout/sessions")]

    def pay(self, session_id: str, payment_intent: str = "pi_3QTideReconcile0001") -> dict:
        """What Stripe holds once the member has paid on the Checkout page."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=payment_intent)
        return session

    def expire(self, session_id: str) -> None:
        """What Stripe holds once a session has gone 24 hours unpaid."""
        self.sessions[session_id].update(status="expired", url=None)

    # -- the API ---------------------------------------------------------------------------
    def answer(self, received: Received) -> tuple[int, dict]:
        with self._lock:
            self.requests.append(received)
            if self.down:
                return 500, {"error": {"type": "api_error", "message": "Something went wrong."}}
            if (received.method, received.path) == ("POST", "/v1/checkout/sessions"):
                return 200, self._session_create(received)
            if (received.method, received.path) == ("POST", "/v1/refunds"):
                return 200, self._refund_create(received)
            if (received.method, received.path) == ("POST", "/v1/customers"):
                return 200, self._remember(received, self.customers, "cus", self._customer)
            if (received.method, received.path) == ("POST", "/v1/payment_intents"):
                return self._charge(received)
            if received.method == "GET" and (
                match := re.fullmatch(r"/v1/setup_intents/([\w-]+)", received.path)
            ):
                return 200, self.setup_intents[match[1]]
            if received.method == "GET" and (
                match := re.fullmatch(r"/v1/checkout/sessions/([\w-]+)", received.path)
            ):
                if session := self.sessions.get(match[1]):
                    return 200, session
                return 404, {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "message": f"No such checkout.session: '{match[1]}'",
                    }
                }
            return 404, {"error": {"type": "invalid_request_error", "message": "Unrecognized"}}

    def _session_create(self, received: Received) -> dict:
        key = received.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            return self.sessions[self._by_key[key]]
        params = received.params
        if params.get("mode") == "setup":
            return self._setup_session_create(received, key)
        session = fixture("stripe_checkout_session.json")
        self._made += 1
        session_id = f"cs_test_tide{self._made:04d}"
        amount = int(params["line_items[0][price_data][unit_amount]"])
        session.update(
            id=session_id,
            url=f"https://checkout.stripe.com/c/pay/{session_id}",
            amount_subtotal=amount,
            amount_total=amount,
            currency=params["line_items[0][price_data][currency]"],
            client_reference_id=params.get("client_reference_id"),
            customer_email=params.get("customer_email"),
            metadata={"invoice": params.get("metadata[invoice]")},
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
            created=int(time.time()),
        )
        self.sessions[session_id] = session
        if key:
            self._by_key[key] = session_id
        return session

    # -- saved cards ----------------------------------------------------------------------
    def _remember(self, received: Received, store: dict, prefix: str, make) -> dict:
        key = received.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            return store[self._by_key[key]]
        object_id = f"{prefix}_test_tide{len(store) + 1:04d}"
        store[object_id] = make(object_id, received.params)
        if key:
            self._by_key[key] = object_id
        return store[object_id]

    @staticmethod
    def _customer(object_id: str, params: dict) -> dict:
        return {"id": object_id, "object": "customer", "email": params.get("email")}

    def _setup_session_create(self, received: Received, key: str | None) -> dict:
        self._made += 1
        session_id = f"cs_test_tidesetup{self._made:04d}"
        setup_intent = f"seti_test_tide{len(self.setup_intents) + 1:04d}"
        self.setup_intents[setup_intent] = {
            "id": setup_intent,
            "object": "setup_intent",
            "status": "requires_payment_method",
            "customer": received.params.get("customer"),
            "payment_method": None,
        }
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "setup",
            "status": "open",
            "customer": received.params.get("customer"),
            "setup_intent": setup_intent,
            "metadata": {
                k[len("metadata[") : -1]: v
                for k, v in received.params.items()
                if k.startswith("metadata[")
            },
            "url": f"https://checkout.stripe.com/c/setup/{session_id}",
            "success_url": received.params["success_url"],
        }
        self.sessions[session_id] = session
        if key:
            self._by_key[key] = session_id
        return session

    def save_card(self, session_id: str, *, last4: str = "4242", brand: str = "visa") -> dict:
        """What Stripe holds once the member has entered a card on the setup page."""
        session = self.sessions[session_id]
        session["status"] = "complete"
        self.setup_intents[session["setup_intent"]].update(
            status="succeeded",
            payment_method={
                "id": f"pm_test_tide{last4}",
                "object": "payment_method",
                "type": "card",
                "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2030},
            },
        )
        return session

    def _charge(self, received: Received) -> tuple[int, dict]:
        key = received.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            return 200, self.payment_intents[self._by_key[key]]
        if self.decline:
            return 402, {
                "error": {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "insufficient_funds",
                    "message": "Your card has insufficient funds.",
                }
            }
        intent_id = f"pi_test_tidecharge{len(self.payment_intents) + 1:04d}"
        self.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(received.params["amount"]),
            "currency": received.params["currency"],
            "customer": received.params.get("customer"),
            "payment_method": received.params.get("payment_method"),
            "status": "succeeded",
            "metadata": {"invoice": received.params.get("metadata[invoice]")},
        }
        if key:
            self._by_key[key] = intent_id
        return 200, self.payment_intents[intent_id]

    def charges(self) -> list[Received]:
        return [r for r in self.requests if (r.method, r.path) == ("POST", "/v1/payment_intents")]

    def refund_creations(self) -> list[Received]:
        return [r for r in self.requests if (r.method, r.path) == ("POST", "/v1/refunds")]

    def _refund_create(self, received: Received) -> dict:
        key = received.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            return self.refunds[self._by_key[key]]
        refund_id = f"re_test_tide{len(self.refunds) + 1:04d}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": int(received.params["amount"]),
            "currency": "cad",
            "payment_intent": received.params["payment_intent"],
            "status": "succeeded",
            "metadata": {"credit_note": received.params.get("metadata[credit_note]")},
        }
        self.refunds[refund_id] = refund
        if key:
            self._by_key[key] = refund_id
        return refund


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        received = Received(
            method=self.command,
            path=path,
            headers=dict(self.headers.items()),
            params=dict(parse_qsl(body or query, keep_blank_values=True)),
        )
        status, answer = self.server.standin.answer(received)
        content = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Request-Id", f"req_standin{len(self.server.standin.requests)}")
        if status >= 500:
            self.send_header("Stripe-Should-Retry", "false")  # as Stripe says of most 500s
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _respond

    def log_message(self, format, *args) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: StripeStandIn


def start_standin() -> tuple[StripeStandIn, _Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.standin = StripeStandIn(url=f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server.standin, server


# -- webhook events ----------------------------------------------------------------------------
COMPLETED = "stripe_event_checkout_session_completed.json"
ASYNC_SUCCEEDED = "stripe_event_checkout_session_async_payment_succeeded.json"


def session_event(
    name: str,
    invoice: Invoice,
    *,
    payment_intent: str = "pi_3QTide00000000000000Pay1",
    payment_status: str = "paid",
    amount_cents: int | None = None,
    event_id: str | None = None,
) -> str:
    """A recorded checkout.session event, made out to `invoice`, as the JSON Stripe posts."""
    event = fixture(name)
    if event_id:
        event["id"] = event_id
    session = event["data"]["object"]
    session.update(
        amount_total=invoice.total_cents if amount_cents is None else amount_cents,
        amount_subtotal=invoice.total_cents if amount_cents is None else amount_cents,
        client_reference_id=invoice.number,
        metadata={"invoice": invoice.number},
        payment_intent=payment_intent,
        payment_status=payment_status,
    )
    return json.dumps(event, indent=2)


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<payload>">."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def deliver(payload: str, *, header: str | None = None):
    """POST an event to the webhook as Stripe does: no session, no CSRF token, signed now
    (unless `header` is given; "" sends none)."""
    extra = {} if header == "" else {"HTTP_STRIPE_SIGNATURE": header or signature(payload)}
    return Client(enforce_csrf_checks=True).post(
        reverse("billing:stripe_webhook"), payload, content_type="application/json", **extra
    )
