"""Chromium for the client's bench and the browser tests: where it is and how it is started.

Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`), or CHROME_PATH. Playwright
launches it headless by itself; Lighthouse needs `--headless=new` added to these flags.
"""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROME_PATH") or "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
