"""What the real-browser tests share: `khaothi demo` on a free port (SQLite in a temporary directory, or a new
database on the PostgreSQL server named by KHAOTHI_BROWSER_POSTGRES=postgres://USER@HOST:PORT) and a Chromium
driver at 1024×768 that keeps a screenshot and the console of a failed test.
"""
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from datetime import datetime, timedelta, timezone

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("KHAOTHI_BIN", os.path.join(ROOT, ".build", "debug", "khaothi"))
SHOTS = os.environ.get("KHAOTHI_SHOTS", os.path.join(ROOT, ".build", "browser-shots"))
PRACTICE = "Demo — Làm quen (mọi dạng câu hỏi)"
MATH = "Demo — Toán 12 (mẫu 2025)"
SHORT = "Hết giờ — thử tự nộp"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args):
    result = subprocess.run([BINARY, *args], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"khaothi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Server:
    """`khaothi demo` on a free port with its database in a temporary directory, plus a short exam."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="khaothi-browser-")
        self.db = os.path.join(self.dir, "demo.sqlite")
        postgres = os.environ.get("KHAOTHI_BROWSER_POSTGRES")
        if postgres:
            name = "browser_" + os.path.basename(self.dir).replace("-", "_").lower()
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", postgres + "/postgres", "-c", f"CREATE DATABASE {name}"], check=True)
            self.db = f"{postgres}/{name}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        logins_file = os.path.join(self.dir, "logins.json")
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.process = subprocess.Popen([BINARY, "demo", "--port", str(self.port), "--db", self.db, "--logins-out", logins_file],
                                        cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "KHAOTHI_WEB": os.path.join(ROOT, "Web")})
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "api/time", timeout=1)
                break
            except Exception:
                if self.process.poll() is not None or time.time() > deadline:
                    raise AssertionError("the demo server did not start:\n" + open(self.log.name).read())
                time.sleep(0.3)
        self.logins = json.load(open(logins_file))
        # A one-minute exam, for the deadline: made with the CLI while the server runs.
        opens = (datetime.now(timezone.utc) - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cli("exam", "create", SHORT, "--bank", "Làm quen — các dạng câu hỏi", "--blueprint", "Làm quen — mọi dạng câu hỏi", "--codes", "1",
            "--session", f"Ca=${opens}".replace("$", ""), "--duration", "1", "--grace", "2", "--late-entry", "60", "--policy", "from-start",
            "--room", "P1", "--db", self.db)
        cli("exam", "candidates", "import", SHORT, os.path.join(ROOT, "QuestionBanks", "samples", "danh-sach-12A.csv"), "--db", self.db)
        slips = os.path.join(self.dir, "short.json")
        cli("exam", "prepare", SHORT, "--slips", os.path.join(self.dir, "slips"), "--slips-json", slips, "--db", self.db)
        self.short = json.load(open(slips))

    def candidates(self, exam):
        if exam == SHORT:
            return self.short
        return next(e for e in self.logins["exams"] if e["name"] == exam)["candidates"]

    def staff(self, role):
        return next(s for s in self.logins["staff"] if s["role"] == role)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()




def tex(node):
    """What a node says: the TeX KaTeX kept in its annotations, or the plain text."""
    annotations = node.find_elements(By.CSS_SELECTOR, "annotation")
    if annotations:
        return " ".join(a.get_attribute("textContent").strip() for a in annotations)
    return node.get_attribute("textContent").strip()


class BrowserTest(unittest.TestCase):
    """Chromium at 1024×768 (Vietnamese), with a screenshot and the console kept when a test fails."""
    server = None

    def setUp(self):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1024,768", "--lang=vi"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.browser = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        self.browser.set_page_load_timeout(30)

    def run(self, result=None):
        # Remembers whether this test failed, so tearDown keeps a screenshot and the console.
        self._failures_before = (len(result.failures) + len(result.errors)) if result else 0
        self._result = result
        return super().run(result)

    def tearDown(self):
        result = getattr(self, "_result", None)
        outcome = getattr(self, "_outcome", None)
        failed = (outcome is not None and not getattr(outcome, "success", True)) or \
            (result is not None and len(result.failures) + len(result.errors) > self._failures_before)
        if failed:
            os.makedirs(SHOTS, exist_ok=True)
            name = os.path.join(SHOTS, self.id().split(".")[-1])
            self.browser.save_screenshot(name + ".png")
            with open(name + ".console.txt", "w") as f:
                for entry in self.browser.get_log("browser"):
                    f.write(json.dumps(entry) + "\n")
        self.browser.quit()

    # --- helpers ---------------------------------------------------------------------------------
    def wait(self, condition, timeout=15, message=""):
        # A page that redraws (the room's table every few seconds) or navigates leaves stale elements: look again.
        # Chromium sometimes reports a stale element as "Node with given id does not belong to the document", a
        # plain WebDriverException: that one is looked at again too; any other error still fails the test.
        def look(_):
            try:
                return condition()
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return False
                raise
        return WebDriverWait(self.browser, timeout, poll_frequency=0.2,
                             ignored_exceptions=[StaleElementReferenceException, NoSuchElementException]).until(look, message)

    def by_id(self, element_id):
        return self.browser.find_element(By.ID, element_id)

    def visible(self, element_id, timeout=15):
        return self.wait(lambda: self.by_id(element_id).is_displayed() and self.by_id(element_id), timeout, f"#{element_id} not shown")

    def sign_in(self, role, path="staff", language="vi"):
        """Signs a member of staff in on /staff, which sends them back to `path`."""
        member = self.server.staff(role)
        self.browser.get(self.server.url + path + ("&" if "?" in path else "?") + "lang=" + language)
        self.visible("staff-login")
        self.by_id("username").send_keys(member["username"])
        self.by_id("password").send_keys(member["password"] + Keys.ENTER)
        # bcrypt on a busy 2-core machine can take seconds.
        self.wait(lambda: self.by_id("staff-who").text.strip() != "", 40, message="not signed in")


def setUpModule():
    """A module's own demo server, for modules that import these two (unittest calls them by name)."""
    BrowserTest.server = Server()


def tearDownModule():
    if BrowserTest.server:
        BrowserTest.server.stop()
        BrowserTest.server = None
