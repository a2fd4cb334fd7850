"""Demo lists, contacts and broadcasts."""


def demo_mailing() -> None:
    """Idempotent: running it again keeps what is there."""
