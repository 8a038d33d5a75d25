"""The built reports in a real browser: they render, fetch nothing, show Chinese, sort, stay
inert when a village is named like an attack, pass axe-core's accessibility rules and read on a
phone: every page type is photographed at 1280 and 390 px (into ``build/screenshots/``).

Headless Chromium is driven over the DevTools protocol (CDP). Two independent nets catch any
request leaving a page: CDP's own network log (every URL must be ``file:`` or ``data:``), and a
local TCP listener set as the browser's proxy for every host, loopback included, while name
resolution is switched off, so that any http(s) request would land on the listener.

axe-core comes from npm, pinned by ``package-lock.json`` and installed by ``make test`` (``npm
ci``) into ``node_modules/``; it is evaluated into each page through DevTools (``Runtime.
evaluate`` is not subject to the pages' ``script-src 'none'``), so no page loads it.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket  # websocket-client, a dependency of jupyter_server
from PIL import Image  # a dependency of matplotlib

from analysis import config
from analysis.reporting.publish import FONT_STACK
from analysis.runs import runner
from analysis.tools import sample

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# As the machine notes start it: without the background-networking flags Chromium keeps trying
# to reach Google's hosts, which would trip the proxy listener for reasons unrelated to a page.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
)
#: Chromium's own services, which it calls through the proxy even with the flags above (network
#: time, extension updates, the account list, optimisation hints). Only the proxy listener
#: excuses them: the DevTools network log catches a page's request to any host.
BROWSER_SERVICE_DOMAINS = ("google.com", "googleapis.com")
TIMEOUT = 30.0  # seconds for any single wait on the browser; generous for a loaded CI machine

VILLAGE = "360722103203"  # 青光村, the notebooks' default village
EVIL_NAME = "<script>alert(1)</script>"
EVIL_NAME_VILLAGE = "360722103205"
EVIL_SHORT = "../../x"
EVIL_SHORT_VILLAGE = "360722103204"

#: axe-core's browser build, installed by ``make test`` from package-lock.json.
AXE = config.PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts that fail a page; axe's "moderate" and "minor" findings are left to judgement.
BLOCKING_IMPACTS = ("critical", "serious")
#: Where the screenshots go: ``<page type>_<width>.png``, the whole page.
SCREENSHOTS = config.PROJECT_DIR / "build" / "screenshots"
#: A desktop and a phone (how pages shared on WeChat are read).
WIDTHS = (1280, 390)
#: Chromium cannot capture a taller image in one piece.
MAX_SHOT_HEIGHT = 16_000
#: A synthetic county of 20 villages: two towns, so that there are county and town pages.
COUNTY_VILLAGES = 20

#: Font families the pages ask for by name; drawing Chinese with any other face means fallback.
CJK_FAMILIES = set(re.findall(r'"([^"]+)"', FONT_STACK))


# --- helpers -----------------------------------------------------------------------------------


class ConnectionRecorder:
    """A TCP listener standing in for the browser's proxy: records each connection's first line
    (``CONNECT host:443 …`` or ``GET http://…``) and closes it."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.seen: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:  # closed
                return
            with conn:
                # Recorded before reading, so that a check right after a load cannot miss it.
                self.seen.append("(connection)")
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    self.seen[-1] = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")

    def close(self) -> None:
        self._server.close()

    @property
    def unexpected(self) -> list[str]:
        """The recorded connections but Chromium's own service calls."""
        return [
            line
            for line in self.seen
            if not any(
                _host(line) == d or _host(line).endswith("." + d) for d in BROWSER_SERVICE_DOMAINS
            )
        ]


def _host(request_line: str) -> str:
    """``CONNECT host:443 HTTP/1.1`` or ``GET http://host/path HTTP/1.1`` → ``host``."""
    target = request_line.split(" ")[1] if request_line.count(" ") >= 2 else ""
    return re.sub(r"^[a-z]+://", "", target).split("/")[0].rsplit(":", 1)[0]


class Chromium:
    """One headless Chromium with one tab, driven over CDP, its proxy a
    :class:`ConnectionRecorder`; every wait is bounded. Use as a context manager."""

    def __init__(self, binary: str, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.recorder = ConnectionRecorder()
        profile = workdir / "profile"
        self.log = workdir / "chromium.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    binary,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0",  # Chromium picks a free port and writes it down
                    f"--proxy-server=127.0.0.1:{self.recorder.port}",
                    "--proxy-bypass-list=<-loopback>",  # loopback goes through the proxy too
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.ws = None
        self.events: list[dict] = []
        self._id = 0
        try:
            port = self._devtools_port(profile / "DevToolsActivePort")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as r:
                tab = next(t for t in json.load(r) if t["type"] == "page")
            self.ws = websocket.create_connection(
                tab["webSocketDebuggerUrl"], timeout=TIMEOUT, suppress_origin=True
            )
            for domain in ("Page", "Network", "Runtime", "DOM", "CSS"):
                self.call(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    def _devtools_port(self, path: Path) -> int:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited early:\n{self._log_tail()}")
            if path.exists() and path.read_text().strip():
                return int(path.read_text().split()[0])
            time.sleep(0.05)
        raise TimeoutError(f"Chromium did not open DevTools in {TIMEOUT} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def _receive(self, deadline: float) -> dict:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from Chromium in {TIMEOUT} s")
        message = json.loads(self.ws.recv())
        if message.get("method") == "Page.javascriptDialogOpening":
            # An open dialog blocks the page; dismiss it so the test fails on its assertion
            # (the event stays recorded) instead of timing out.
            self._send("Page.handleJavaScriptDialog", accept=False)
        if "method" in message:
            self.events.append(message)
        return message

    def _send(self, method: str, **params) -> int:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        return self._id

    def call(self, method: str, **params) -> dict:
        """Send a CDP command and return its result; events arriving meanwhile are kept."""
        deadline = time.monotonic() + TIMEOUT
        sent = self._send(method, **params)
        while True:
            message = self._receive(deadline)
            if message.get("id") == sent:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            self._receive(deadline)

    def open(self, path: Path) -> None:
        """Load a file in the tab and wait for its load event (images decoded by then)."""
        self.events.clear()
        result = self.call("Page.navigate", url=path.as_uri())
        assert "errorText" not in result, result
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        """Evaluate in the page through DevTools, which the pages' CSP does not restrict."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    @property
    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    @property
    def dialogs(self) -> list[str]:
        return [
            e["params"]["message"]
            for e in self.events
            if e["method"] == "Page.javascriptDialogOpening"
        ]

    def fonts_of(self, selector: str) -> list[dict]:
        """The platform fonts that drew the text of the first element matching ``selector``."""
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        return self.call("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]

    def screenshot(self) -> Image.Image:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def viewport(self, width: int, height: int = 900) -> None:
        """Lay pages out at ``width`` CSS pixels; below 640 as a phone does (mobile viewport)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 640,
        )
        # A desktop scrollbar would take 15 px of the width measured.
        self.call("Emulation.setScrollbarsHidden", hidden=True)

    def full_screenshot(self, path: Path) -> Image.Image:
        """The whole page (up to :data:`MAX_SHOT_HEIGHT` px) as PNG at ``path``."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": size["width"],
            "height": min(size["height"], MAX_SHOT_HEIGHT),
            "scale": 1,
        }
        data = self.call(
            "Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True
        )["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return Image.open(path).convert("RGB")

    def axe(self, source: str) -> list[dict]:
        """axe-core's violations on the loaded page: rule, impact, help and the first nodes."""
        if not self.evaluate("typeof axe !== 'undefined'"):
            self.evaluate(source)
        result = self.call(
            "Runtime.evaluate",
            expression=AXE_RUN,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"axe.run: {result['exceptionDetails']}")
        return result["result"]["value"]

    def close(self) -> None:
        try:
            if self.ws is not None:
                self.ws.close()
        finally:
            self.recorder.close()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def assert_offline(self) -> None:
        """Since the last load nothing left disk, and since the start nothing reached the proxy."""
        assert offsite(self.requests) == []
        assert self.recorder.unexpected == [], "connections reached the proxy"


#: Runs every axe rule on the page and keeps what a report needs to say of each violation.
AXE_RUN = """
axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(
      function (n) { return n.target.join(" ") + " :: " + n.failureSummary; })};
  });
})
"""

#: Elements of text that wrap with a few characters on each of three or more lines: text
#: squeezed into a column too narrow for it (one character per line in the worst case). Lines
#: are counted from the text's own line boxes (a cell's box is as tall as its row).
SQUEEZED_TEXT = """
Array.from(document.querySelectorAll(
  "h1, h2, h3, h4, p, li, th, td, dt, dd, caption, figcaption, label, a"
)).flatMap(function (el) {
  var text = el.textContent.replace(/\\s+/g, "");
  if (text.length < 4 || el.getBoundingClientRect().width === 0) { return []; }
  var range = document.createRange();
  range.selectNodeContents(el);
  var tops = new Set(Array.from(range.getClientRects())
    .filter(function (r) { return r.width > 0; })
    .map(function (r) { return Math.round(r.top); }));
  var lines = tops.size;
  return lines >= 3 && text.length / lines < 3
    ? [el.tagName + " " + Math.round(el.getBoundingClientRect().width) + "px, " + lines +
       " lines: " + text.slice(0, 30)]
    : [];
})
"""

#: Images that reach outside the screen's width (WIDTH, filled in: on a phone the layout
#: viewport widens to whatever overflows, so window.innerWidth would hide the overflow).
IMAGES_OUTSIDE = """
Array.from(document.images).flatMap(function (img) {
  var box = img.getBoundingClientRect();
  return box.left < -0.5 || box.right > WIDTH + 0.5
    ? [(img.alt || img.src.slice(0, 40)) + ": " + Math.round(box.left) + "–" + Math.round(box.right)]
    : [];
})
"""


def offsite(urls: list[str]) -> list[str]:
    """The URLs a page may not load: anything but itself on disk and embedded data."""
    return [u for u in urls if not u.startswith(("file:", "data:"))]


def table_rows(browser: Chromium) -> list[list[str]]:
    return browser.evaluate(
        "Array.from(document.querySelectorAll('table.sortable tbody tr'))"
        ".map(r => Array.from(r.cells).map(c => c.textContent))"
    )


def files_below(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium binary; skips when there is none, fails if MINSHENG_REQUIRE_BROWSER=1."""
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    message = f"no Chromium binary on PATH (looked for {', '.join(BROWSER_NAMES)})"
    if os.environ.get("MINSHENG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MINSHENG_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def sample_reports(chromium_path, tmp_path_factory) -> Path:
    """The sample's reports for the default year, built once (asks for Chromium first so that
    a machine without it skips before the build)."""
    tmp = tmp_path_factory.mktemp("sample")
    result = runner.build(
        config.RAW_DIR, tmp / "reports", processed_dir=tmp / "processed", progress=False
    )
    assert result.ok, [(r.key, r.where, r.error) for r in result.failed]
    return result.out_dir


@pytest.fixture(scope="session")
def county_reports(chromium_path, tmp_path_factory) -> Path:
    """A synthetic county's pages: the county, one town and one of its villages."""
    root = tmp_path_factory.mktemp("county")
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(COUNTY_VILLAGES))
    with (raw / config.REGISTRY_FILE).open(encoding="utf-8") as f:
        first = next(csv.DictReader(f))["code"]
    result = runner.build(
        raw, root / "reports", processed_dir=root / "processed", villages=[first], progress=False
    )
    assert result.ok, [(r.key, r.where, r.error) for r in result.failed]
    return result.out_dir


@pytest.fixture(scope="session")
def page_types(sample_reports, county_reports) -> dict[str, Path]:
    """One page of every type a build writes."""
    towns = sorted((county_reports / "towns").glob("*.html"))
    assert towns, "the county build wrote no town page"
    return {
        "index": sample_reports / "index.html",
        "county": county_reports / "county.html",
        "town": towns[0],
        "township": sample_reports / "township.html",
        "village": sample_reports / "villages" / f"{VILLAGE}.html",
        "problems": sample_reports / "problems.html",
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script; skips when ``npm ci`` has not run, fails if the browser is required."""
    if AXE.exists():
        return AXE.read_text(encoding="utf-8")
    message = f"no axe-core at {AXE}: run `make test` (or `npm ci`) to install it"
    if os.environ.get("MINSHENG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MINSHENG_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def reader(chromium_path, tmp_path_factory) -> Iterator[Chromium]:
    """A browser whose window size the layout checks change (kept apart from ``browser``)."""
    with Chromium(chromium_path, tmp_path_factory.mktemp("reader")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def browser(chromium_path, tmp_path_factory) -> Iterator[Chromium]:
    """One browser for the module's checks of real pages."""
    with Chromium(chromium_path, tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium


# --- the detectors work ------------------------------------------------------------------------


def test_a_page_that_reaches_out_is_caught(chromium_path, tmp_path):
    """Control: a page with remote images and an alert trips every detector used below."""
    page = tmp_path / "canary.html"
    page.write_text(
        '<html><body><img src="http://example.com/a.png"><img src="http://127.0.0.1:8000/b.png">'
        "<script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    with Chromium(chromium_path, tmp_path / "chromium") as chromium:
        chromium.open(page)
        assert chromium.dialogs == ["1"]
        assert len(offsite(chromium.requests)) == 2
        deadline = time.monotonic() + TIMEOUT
        while len(chromium.recorder.unexpected) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(map(_host, chromium.recorder.unexpected)) == ["127.0.0.1", "example.com"]


# --- the sample reports ------------------------------------------------------------------------


def test_index_renders_offline(sample_reports, browser):
    browser.open(sample_reports / "index.html")
    assert browser.evaluate("document.title") == f"大桥镇{config.DEFAULT_YEAR}年民生工作报告目录"
    assert browser.evaluate("document.querySelector('h1').textContent") == browser.evaluate(
        "document.title"
    )
    assert browser.evaluate("document.querySelector('.sample').textContent") == "示例数据"
    with (config.RAW_DIR / config.REGISTRY_FILE).open(encoding="utf-8") as f:
        codes = [row["code"] for row in csv.DictReader(f)]
    assert [row[0] for row in table_rows(browser)] == codes
    assert browser.dialogs == []
    browser.assert_offline()


def test_village_page_renders_offline_with_images_and_chinese(sample_reports, browser):
    browser.open(sample_reports / "villages" / f"{VILLAGE}.html")
    title = f"青光村委会 {config.DEFAULT_YEAR}年民生工作报告"
    assert browser.evaluate("document.querySelector('h1').textContent") == title
    # The tab names the town too: village names repeat across towns.
    tab = f"青光村委会（大桥镇）{config.DEFAULT_YEAR}年民生工作报告"
    assert browser.evaluate("document.title") == tab
    assert browser.evaluate("document.querySelector('.sample').textContent") == "示例数据"
    assert browser.evaluate("document.scripts.length") == 0
    browser.assert_offline()

    images = browser.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    assert images, "no image on the village page"  # at least the locator map
    assert all(done and w > 0 and h > 0 for done, w, h in images), images

    # Every Chinese character of the heading is drawn by a face that has it (one the page asks
    # for, or a Noto CJK face), not by a fallback font showing empty boxes.
    han = len(re.findall(r"[\u4e00-\u9fff]", title))
    fonts = browser.fonts_of("h1")
    cjk = sum(
        f["glyphCount"]
        for f in fonts
        if f["familyName"] in CJK_FAMILIES or "CJK" in f["familyName"]
    )
    assert cjk >= han, fonts

    # A blank or boxes-only page has a handful of colours; text and charts have thousands.
    shot = browser.screenshot()
    assert len(shot.getcolors(maxcolors=1 << 20)) > 200


def test_a_printed_page_shows_the_figures_behind_each_chart(sample_reports, browser):
    """On screen a chart's table of figures folds away under its caption; on paper there is
    nothing to unfold, so the table is printed."""
    browser.open(sample_reports / "villages" / f"{VILLAGE}.html")
    # Laid out even when folded (content-visibility), so asked whether it is rendered.
    shown = "document.querySelector('figure details table').checkVisibility()"
    assert browser.evaluate(shown) is False, "folded on screen"
    browser.call("Emulation.setEmulatedMedia", media="print")
    try:
        assert browser.evaluate(shown) is True
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")


def test_index_sorts_by_population(sample_reports, browser):
    browser.open(sample_reports / "index.html")
    column = browser.evaluate(
        "Array.from(document.querySelectorAll('table.sortable thead th'))"
        ".findIndex(th => th.textContent.startsWith('人口'))"
    )
    assert column >= 0
    rows = table_rows(browser)

    def population(row: list[str]) -> int:
        return int(row[column].replace(",", ""))

    def shown() -> list[tuple[str, str]]:
        return [(row[0], row[column]) for row in table_rows(browser)]

    click = f"document.querySelectorAll('table.sortable thead th')[{column}].click()"
    browser.evaluate(click)
    ascending = shown()
    browser.evaluate(click)
    descending = shown()
    assert ascending == [(row[0], row[column]) for row in sorted(rows, key=population)]
    assert descending == [(row[0], row[column]) for row in sorted(rows, key=population)][::-1]


# --- hostile names -----------------------------------------------------------------------------


def _escape_targets(folders: list[Path]) -> set[Path]:
    """Files where a path built from ``../../x`` below any of ``folders`` would land."""
    return {p for folder in folders for p in (folder / EVIL_SHORT).resolve().parent.glob("x*")}


@pytest.fixture(scope="module")
def hostile_build(chromium_path, tmp_path_factory) -> tuple[Path, set[Path]]:
    """Reports for two villages whose registry names are an attack: the year's report folder,
    and the files the build wrote outside reports/ and processed/ or named after ``x``."""
    root = tmp_path_factory.mktemp("hostile")
    raw, reports, processed = root / "raw", root / "reports", root / "processed"
    shutil.copytree(config.RAW_DIR, raw)
    registry = raw / config.REGISTRY_FILE
    with registry.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["code"] == EVIL_NAME_VILLAGE:
            row["name"] = EVIL_NAME
        if row["code"] == EVIL_SHORT_VILLAGE:
            row["short_name"] = EVIL_SHORT
    with registry.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    year_dir = reports / str(config.DEFAULT_YEAR)
    # "../../x" below the output folders or the notebooks' working directory lands outside
    # ``root``, so those spots are checked besides everything below ``root``.
    folders = [year_dir / "villages", year_dir, reports, processed, processed / "layers"]
    folders += [config.PROJECT_DIR, config.NOTEBOOKS_DIR]
    before = files_below(root) | _escape_targets(folders)
    result = runner.build(
        raw,
        reports,
        processed_dir=processed,
        villages=[EVIL_NAME_VILLAGE, EVIL_SHORT_VILLAGE],
        progress=False,
    )
    assert result.ok, [(r.key, r.where, r.error) for r in result.failed]
    new = (files_below(root) | _escape_targets(folders)) - before
    outside = {p for p in new if not (p.is_relative_to(reports) or p.is_relative_to(processed))}
    return result.out_dir, outside | {p for p in new if p.name.split(".")[0] == "x"}


def test_hostile_names_stay_text(hostile_build, browser):
    year_dir, strays = hostile_build
    assert strays == set()
    assert {p.name for p in (year_dir / "villages").iterdir()} == {
        f"{EVIL_NAME_VILLAGE}.html",
        f"{EVIL_SHORT_VILLAGE}.html",
    }

    browser.open(year_dir / "villages" / f"{EVIL_NAME_VILLAGE}.html")
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    assert browser.evaluate("document.querySelector('h1').textContent").startswith(EVIL_NAME)
    assert browser.dialogs == []
    browser.assert_offline()

    browser.open(year_dir / "villages" / f"{EVIL_SHORT_VILLAGE}.html")
    assert browser.evaluate("document.querySelector('h1').textContent").startswith("大桥村委会")
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    assert browser.dialogs == []

    browser.open(year_dir / "index.html")
    names = {row[0]: row[1] for row in table_rows(browser)}
    assert names[EVIL_NAME_VILLAGE] == EVIL_NAME
    assert browser.evaluate("document.querySelectorAll('script').length") == 1  # the sort script
    assert browser.dialogs == []
    browser.assert_offline()


# --- accessibility and reading on a desktop and a phone ----------------------------------------


def test_axe_finds_what_it_should(chromium_path, axe_source, tmp_path):
    """Control: a page without title, language or image text fails axe as the checks expect."""
    page = tmp_path / "inaccessible.html"
    page.write_text(
        '<html><body><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ'
        'AAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="></body></html>',
        encoding="utf-8",
    )
    with Chromium(chromium_path, tmp_path / "chromium") as chromium:
        chromium.open(page)
        found = {v["id"]: v["impact"] for v in chromium.axe(axe_source)}
    assert found["image-alt"] == "critical"
    assert found["html-has-lang"] == found["document-title"] == "serious"


def _blocking(violations: list[dict]) -> str:
    """The violations that fail a page, one per line, with a word on whose code it is."""
    lines = []
    for v in violations:
        if v["impact"] not in BLOCKING_IMPACTS:
            continue
        owner = (
            " (the charts' alt text is made in analysis/reporting/charts.py)"
            if v["id"] == "image-alt"
            else ""
        )
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}{owner}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["index", "county", "town", "township", "village", "problems"])
def test_every_page_type_is_accessible_and_reads_at_desktop_and_phone_width(
    kind, width, page_types, reader, axe_source
):
    reader.viewport(width)
    reader.open(page_types[kind])
    shot = reader.full_screenshot(SCREENSHOTS / f"{kind}_{width}.png")
    assert shot.width == width
    assert len(shot.getcolors(maxcolors=1 << 20)) > 50  # not blank

    problems = _blocking(reader.axe(axe_source))
    assert not problems, f"{kind} at {width} px:\n{problems}"

    # The page itself never scrolls sideways: a wide table scrolls inside its own box.
    overflow = reader.evaluate(f"document.documentElement.scrollWidth - {width}")
    assert overflow <= 0, f"{kind} at {width} px is {overflow} px wider than the screen"
    squeezed = reader.evaluate(SQUEEZED_TEXT)
    assert squeezed == [], f"{kind} at {width} px squeezes text:\n" + "\n".join(squeezed)
    outside = reader.evaluate(IMAGES_OUTSIDE.replace("WIDTH", str(width)))
    assert outside == [], f"{kind} at {width} px has images outside the screen: {outside}"


def test_the_checks_catch_a_page_too_wide_for_a_phone(chromium_path, tmp_path):
    """Control: a wide table outside a scroll box and a squeezed cell are both found."""
    page = tmp_path / "wide.html"
    page.write_text(
        '<html lang="en"><head><meta name="viewport" content="width=device-width">'
        '<title>t</title></head><body><table><tr><td style="width:2px">一二三四五六七八</td>'
        '<td><div style="width:900px">wide</div></td></tr></table></body></html>',
        encoding="utf-8",
    )
    with Chromium(chromium_path, tmp_path / "chromium") as chromium:
        chromium.viewport(390)
        chromium.open(page)
        assert chromium.evaluate("document.documentElement.scrollWidth - 390") > 0
        assert len(chromium.evaluate(SQUEEZED_TEXT)) == 1


#: How far down a page its top for a leader may end at 1280 px: one 1280 × 1024 screen (issue 28;
#: a town of 18 villages ends at about 990).
TOP_PX = 1024


def test_the_top_is_about_one_screen_at_desktop_width(page_types, reader):
    """At 1280 px the top of the county's, a town's and the township's page (sentences, key
    figures, the status table or, for many places, its counts by status) ends within about
    one screen."""
    reader.viewport(1280)
    for kind in ("county", "town", "township"):
        reader.open(page_types[kind])
        bottom = reader.evaluate(
            "document.querySelector('section.top').getBoundingClientRect().bottom"
        )
        assert bottom <= TOP_PX, (kind, bottom)


def test_the_top_reads_on_a_phone(page_types, reader):
    """At 390 px the key figures are cards two to a row, and the status table keeps its first
    column (the place) in place while the rest scrolls; every cell links."""
    reader.viewport(390)
    for kind in ("county", "town", "township"):
        reader.open(page_types[kind])
        columns = reader.evaluate(
            "getComputedStyle(document.querySelector('dl.cards')).gridTemplateColumns"
        )
        assert len(columns.split()) == 2, (kind, columns)
        first = "getComputedStyle(document.querySelector('table.status-grid td')).position"
        assert reader.evaluate(first) == "sticky", kind
        assert reader.evaluate(
            "Array.from(document.querySelectorAll('table.status-grid tbody td'))"
            ".every(td => td.querySelector('a[href$=\".html\"]'))"
        ), kind
