"""Page speed under gunicorn with 2 workers, as a ratio to a trivial view measured in the same run.

    make bench            # or: .venv/bin/python bench/pages.py --seconds 10 --concurrency 4

It builds a throw-away demo association (plus extra posts and comments, so the numbers show
that pages do not slow down with data), starts gunicorn on loopback, and for each URL runs a
closed loop of concurrent anonymous GETs for a fixed time. Then it reads each worker's memory (unique and resident).
Targets: every page at least 50% of the trivial view; under 120 MB per worker.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import BIN, ROOT, free_port, gunicorn, measure, tide

PORT = free_port()  # other benchmarks or servers may be running on this machine


def build_site(env: dict, extra_posts: int, comments_per_post: int) -> None:
    tide("migrate", "--noinput", "-v0", env=env, quiet=True)
    tide("collectstatic", "--noinput", "-v0", env=env, quiet=True)
    tide("load_demo", env=env, quiet=True)
    script = f"""
from tide.website.models import BlogIndexPage, BlogPage, BlogAuthor, BlogPageAuthor, Comment
blog = BlogIndexPage.objects.get()
author = BlogAuthor.objects.first()
for n in range({extra_posts}):
    post = BlogPage(title=f"Bench post {{n}}", intro="A post for the benchmark.", body=[("paragraph", "<p>" + "word " * 600 + "</p>")])
    blog.add_child(instance=post)
    post.post_authors.add(BlogPageAuthor(author=author))
    post.save_revision().publish()
for post in BlogPage.objects.all():
    for c in range({comments_per_post}):
        body = f"Comment {{c}} on {{post.pk}}"
        Comment.objects.get_or_create(post=post, fingerprint=Comment.fingerprint_of("b@example.com", body),
            defaults=dict(name="Bench", email="b@example.com", body=body, status="approved"))
"""
    subprocess.run([str(BIN / "tide"), "shell", "-c", script], check=True, env=env, cwd=ROOT)


def serve_and_measure(
    env: dict, paths: list[str], args
) -> tuple[list[dict], list[float], list[float]]:
    """Start gunicorn, measure each path, read the workers' memory, stop it."""
    with gunicorn(env, PORT) as server:
        results = [
            {"path": path, **measure(PORT, [path], args.seconds, args.concurrency)}
            for path in paths
        ]
        # RSS counts the pages a worker shares with the others (gunicorn --preload loads the
        # code once, before forking); USS is what each extra worker really costs.
        workers = [worker.memory_full_info() for worker in psutil.Process(server.pid).children()]
        uss = [round(info.uss / 2**20, 1) for info in workers]
        rss = [round(info.rss / 2**20, 1) for info in workers]
        return results, uss, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--extra-posts", type=int, default=40)
    parser.add_argument("--comments-per-post", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tide-bench-"))
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SITE_URL": f"http://localhost:{PORT}",
    }
    env.pop("DATABASE_URL", None)
    print(f"Building the demo site in {workdir} …", flush=True)
    build_site(env, args.extra_posts, args.comments_per_post)

    post = "/blog/why-direct-billing-matters-to-your-patients/"
    paths = ["/healthz/", "/", "/blog/", post]
    try:
        results, uss_mb, rss_mb = serve_and_measure(env, paths, args)
        # The same pages rendered on every request (page cache off): what a first visit costs.
        shutil.rmtree(workdir / "cache", ignore_errors=True)
        uncached, _, _ = serve_and_measure({**env, "PAGE_CACHE_SECONDS": "0"}, paths, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    baseline = results[0]["rps"]
    print(f"\ngunicorn, 2 sync workers, {args.concurrency} clients, {args.seconds:.0f} s per URL")
    print(f"{'URL':55} {'req/s':>8} {'ratio':>7} {'uncached':>9} {'errors':>7}")
    for result, fresh in zip(results, uncached, strict=True):
        result["ratio"] = round(result["rps"] / baseline, 3)
        result["uncached_rps"] = round(fresh["rps"], 1)
        errors = result["errors"] + fresh["errors"]
        print(
            f"{result['path']:55} {result['rps']:8.0f} {result['ratio']:7.0%}"
            f" {fresh['rps']:9.0f} {errors:7}"
        )
    print(f"worker memory, MB: unique (USS) {uss_mb}, resident incl. shared (RSS) {rss_mb}")
    verdict = all(r["ratio"] >= 0.5 for r in results) and all(m < 120 for m in uss_mb)
    print(
        "targets (each page ≥ 50% of the trivial view, < 120 MB a worker):",
        "met" if verdict else "NOT met",
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    summary = {"results": results, "worker_uss_mb": uss_mb, "worker_rss_mb": rss_mb}
    (out / "pages.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
