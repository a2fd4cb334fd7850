"""Demo courses, registrations and CE rule sets."""


def demo_education() -> None:
    """Idempotent: running it again keeps what is there."""
