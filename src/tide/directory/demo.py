"""Demo listings for Find an RMT."""


def demo_directory() -> None:
    """Idempotent: running it again keeps what is there."""
