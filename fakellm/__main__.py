"""``python -m fakellm --host 127.0.0.1 --port 9100``: run the fake upstream in the foreground.

The first line on stdout is ``fakellm listening on http://HOST:PORT`` (``fakellm.testing``
reads it to learn the port chosen for ``--port 0``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys

from fakellm.server import MODES, serve


def _raise_fd_limit() -> None:
    # Hundreds of concurrent slow connections need more descriptors than a 1024 soft limit.
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fakellm", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    parser.add_argument("--mode", choices=sorted(MODES), default="ok", help="initial behaviour")
    parser.add_argument("--delay", type=float, default=None, help="seconds before each answer")
    parser.add_argument("--reply", default=None, help="fixed reply text (default: an echo)")
    parser.add_argument(
        "--behaviour", default=None, help='initial behaviour as JSON, e.g. \'{"mode": "fail"}\''
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stdout")
    args = parser.parse_args(argv)

    initial: dict[str, object] = json.loads(args.behaviour) if args.behaviour else {}
    initial.setdefault("mode", args.mode)
    if args.delay is not None:
        initial.setdefault("delay", args.delay)
    if args.reply is not None:
        initial.setdefault("reply", args.reply)

    def ready(port: int) -> None:
        url = f"http://{args.host}:{port}"
        banner = f"fakellm listening on {url}\n  OpenAI base URL: {url}/v1\n"
        print(f"{banner}  control: POST {url}/_control (see fakellm.testing)", flush=True)

    _raise_fd_limit()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, verbose=args.verbose, initial=initial, ready=ready))
    sys.exit(0)


if __name__ == "__main__":
    main()
