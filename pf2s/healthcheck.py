"""The container's healthcheck: `python -m pf2s.healthcheck`.

Asks gunicorn's /readyz the way the reverse proxy does (the site's host
name, X-Forwarded-Proto: https): a bare request to 127.0.0.1 would get the
HTTPS redirect (301) or a refused host (400) and the check would never pass.
Exit 0 when the database and Redis answer."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    url = os.environ.get("PF2S_HEALTHCHECK_URL", "http://127.0.0.1:8000/readyz")
    host = (os.environ.get("DJANGO_ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"readyz: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
