"""Real-browser tests of the candidate's pages and the exam room: Chromium headless through Selenium, against
the real server (`khaothi demo` on a free port, SQLite in a temporary directory).

Run: scripts/browser-tests.sh (builds khaothi if needed). Screenshots of failures go to
$KHAOTHI_SHOTS (default .build/browser-shots/).
"""
import json
import os
import re
import time
import unittest
from datetime import datetime, timedelta, timezone

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from support import MATH, PRACTICE, ROOT, SHORT, BrowserTest, Server, cli

SERVER = None


def setUpModule():
    global SERVER
    SERVER = Server()
    BrowserTest.server = SERVER


def tearDownModule():
    if SERVER:
        SERVER.stop()


class PageTest(BrowserTest):
    def login(self, exam, candidate):
        self.browser.get(SERVER.url)
        Select(self.by_id("exam")).select_by_value(exam)
        self.by_id("sbd").send_keys(candidate["sbd"])
        self.by_id("code").send_keys(candidate["accessCode"].lower())  # typed in lower case: the page fixes it
        self.by_id("code").send_keys(Keys.ENTER)
        # A started attempt resumes at once; a new one asks the candidate to confirm who they are.
        self.wait(lambda: self.by_id("confirm").is_displayed() or self.by_id("test").is_displayed(), 15, "neither confirmation nor test shown")
        if self.by_id("confirm").is_displayed():
            self.assertEqual(self.by_id("c-name").text, candidate["fullName"])
            self.by_id("confirm-yes").click()
        self.visible("test")

    def staff_login(self, role, exam, language="vi"):
        """Signs in on /staff, which sends the member back to the exam room page they asked for."""
        member = SERVER.staff(role)
        self.browser.get(SERVER.url + "staff/exams?lang=" + language)
        self.visible("staff-login")
        self.by_id("username").send_keys(member["username"])
        self.by_id("password").send_keys(member["password"] + Keys.ENTER)
        self.visible("staff-exam")
        Select(self.by_id("staff-exam-select")).select_by_value(exam)

    def remaining_seconds(self):
        text = self.by_id("timer").text
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        seconds = 0
        for n in numbers:
            seconds = seconds * 60 + n
        return seconds

    def items(self):
        return self.browser.find_elements(By.CSS_SELECTOR, "#questions article.question")

    def show(self, index):
        self.by_id(f"nav-{index}").click()
        self.wait(lambda: self.by_id(f"q-{index}").is_displayed())
        return self.by_id(f"q-{index}")

    tex = staticmethod(__import__("support").tex)

    def all_saved(self, timeout=30):
        self.wait(lambda: "saved" in self.by_id("save-state").get_attribute("class").split(), timeout, "answers not all saved")

    # --- answering the practice paper (QuestionBanks/lam-quen) correctly ---------------------------
    def answer(self, article):
        kind = article.get_attribute("data-kind")
        stem = article.find_element(By.CSS_SELECTOR, ".stem").get_attribute("textContent")

        def pick(predicate):
            for label in article.find_elements(By.CSS_SELECTOR, "label.option"):
                if predicate(self.tex(label.find_element(By.CSS_SELECTOR, "span"))):
                    label.click()
                    return
            raise AssertionError(f"no option fits in {stem!r}")

        if kind == "single-choice":
            if "sqrt{16}" in stem:
                pick(lambda t: t == "12")
            elif "đồ thị" in stem:
                pick(lambda t: t == "y = x^2")
            else:
                pick(lambda t: t == "Sông Hồng")
        elif kind == "multiple-response":
            for label in article.find_elements(By.CSS_SELECTOR, "label.option"):
                if self.tex(label.find_element(By.CSS_SELECTOR, "span")) in ("2", "11", "17"):
                    label.click()
        elif kind == "true-false":
            rows = article.find_elements(By.CSS_SELECTOR, "table.true-false tbody tr")
            for row, mark in zip(rows, ["Đ", "S", "Đ", "S"]):
                row.find_element(By.CSS_SELECTOR, f"input[value='{mark}']").click()
        elif kind == "numeric":
            field = article.find_element(By.CSS_SELECTOR, "input.numeric")
            field.send_keys("0.5" if "dfrac" in stem else "20")  # a point typed is shown as a comma
            field.send_keys(Keys.TAB)
        elif kind == "short-text":
            field = article.find_element(By.CSS_SELECTOR, "input.short-text")
            field.send_keys("hà  nội")  # case and spaces folded
            field.send_keys(Keys.TAB)
        elif kind == "matching":
            letters = {self.tex(li): chr(65 + i) for i, li in enumerate(article.find_elements(By.CSS_SELECTOR, "ol.choices li"))}
            wanted = {"1945": "Cách mạng tháng Tám thành công", "1954": "Chiến thắng Điện Biên Phủ", "1975": "Giải phóng miền Nam thống nhất đất nước"}
            for row in article.find_elements(By.CSS_SELECTOR, "table.matching tr"):
                premise = row.find_elements(By.TAG_NAME, "td")[1].get_attribute("textContent").strip()
                Select(row.find_element(By.TAG_NAME, "select")).select_by_value(letters[wanted[premise]])
        elif kind == "ordering":
            target = ["Xác định bài toán", "Thiết kế thuật toán", "Viết chương trình", "Kiểm thử"]
            for _ in range(12):
                shown = [li.find_element(By.CSS_SELECTOR, "span").get_attribute("textContent").strip()
                         for li in article.find_elements(By.CSS_SELECTOR, "ol.ordering li")]
                wrong = next((i for i, text in enumerate(shown) if text != target[i]), None)
                if wrong is None:
                    break
                # Move the item that belongs here up, one step at a time (by keyboard: focus + Enter).
                source = shown.index(target[wrong])
                button = article.find_elements(By.CSS_SELECTOR, "ol.ordering li")[source].find_elements(By.CSS_SELECTOR, ".moves button")[0]
                button.send_keys(Keys.ENTER)
            else:
                raise AssertionError("could not order the items")
            article.find_element(By.CSS_SELECTOR, "button.keep-order").click()
        elif kind == "cloze":
            Select(article.find_element(By.CSS_SELECTOR, "select[data-gap='1']")).select_by_visible_text("is")
            article.find_element(By.CSS_SELECTOR, "input[data-gap='2']").send_keys("7")
            field = article.find_element(By.CSS_SELECTOR, "input[data-gap='3']")
            field.send_keys("wet")
            field.send_keys(Keys.TAB)
        elif kind == "essay":
            area = article.find_element(By.TAG_NAME, "textarea")
            area.send_keys("Tự học giúp em chủ động. ")
            area.send_keys(Keys.TAB)
        else:
            raise AssertionError(f"unknown kind {kind}")

    # --- the tests -------------------------------------------------------------------------------
    def test_candidate_answers_every_kind_reloads_goes_offline_and_submits(self):
        candidate = SERVER.candidates(PRACTICE)[0]
        self.login(PRACTICE, candidate)
        articles = self.items()
        kinds = [a.get_attribute("data-kind") for a in articles]
        for kind in ["single-choice", "multiple-response", "true-false", "numeric", "short-text", "matching", "ordering", "cloze", "essay"]:
            self.assertIn(kind, kinds)
        half = len(articles) // 2
        for index in range(half):
            self.answer(self.show(index))
        self.all_saved()
        self.show(0)
        self.by_id("flag-0").click()
        self.assertIn("flagged", self.by_id("nav-0").get_attribute("class"))
        before = self.remaining_seconds()

        # Reload mid-test: the answers, the flag and the time come back.
        self.browser.refresh()
        self.visible("test")
        for index in range(half):
            self.assertIn("answered", self.by_id(f"nav-{index}").get_attribute("class"), f"item {index} lost on reload")
        self.assertIn("flagged", self.by_id("nav-0").get_attribute("class"))
        after = self.remaining_seconds()
        self.assertTrue(before - 30 <= after <= before, f"time {before} → {after}")
        numeric = next(i for i, k in enumerate(kinds) if k == "numeric")
        if numeric < half:
            self.assertIn(self.show(numeric).find_element(By.CSS_SELECTOR, "input.numeric").get_attribute("value"), ("0,5", "20"))

        # Offline for 30 s while answering the rest: kept locally, sent when the network is back.
        self.browser.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        for index in range(half, len(articles)):
            self.answer(self.show(index))
        self.wait(lambda: "pending" in self.by_id("save-state").get_attribute("class"), 10, "no pending answers while offline")
        time.sleep(30)
        self.assertIn("pending", self.by_id("save-state").get_attribute("class"))
        self.browser.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
        self.all_saved(timeout=40)

        # Submit: the confirmation lists nothing unanswered; the score is all but the essay (pending).
        self.by_id("submit").click()
        self.visible("dialog")
        self.assertNotIn("dialog-unanswered", [e.get_attribute("id") for e in self.by_id("dialog-body").find_elements(By.TAG_NAME, "p")])
        self.by_id("dialog-yes").click()
        self.visible("result", timeout=30)
        score = self.wait(lambda: self.browser.find_elements(By.ID, "score") and self.by_id("score").text, 15, "no score shown")
        self.assertEqual(score, "8")
        self.assertIn("chờ chấm", self.by_id("result-body").text)

    def test_unanswered_are_listed_and_numeric_rule_is_checked_while_typing(self):
        candidate = SERVER.candidates(PRACTICE)[1]
        self.login(PRACTICE, candidate)
        kinds = [a.get_attribute("data-kind") for a in self.items()]
        article = self.show(kinds.index("numeric"))
        field = article.find_element(By.CSS_SELECTOR, "input.numeric")
        field.send_keys("1a")
        self.assertIn("invalid", field.get_attribute("class"))
        field.send_keys(Keys.BACKSPACE)
        self.assertNotIn("invalid", field.get_attribute("class"))
        self.by_id("submit").click()
        self.visible("dialog")
        listed = self.by_id("dialog-unanswered").text
        self.assertIn("1", listed)
        self.by_id("dialog-no").click()
        self.assertTrue(self.by_id("dialog").get_attribute("hidden") is not None)

    def test_deadline_submits_automatically(self):
        candidate = SERVER.candidates(SHORT)[0]
        self.login(SHORT, candidate)
        self.answer(self.show(0))
        self.all_saved()
        # Nobody presses "Nộp bài": at 0:00 the page submits, and the one right answer counts.
        self.visible("result", timeout=100)
        score = self.wait(lambda: self.browser.find_elements(By.ID, "score") and self.by_id("score").text, 30, "no score after the deadline")
        self.assertEqual(score, "0,5")

    def test_proctor_adds_time_and_the_candidate_sees_it(self):
        candidate = SERVER.candidates(MATH)[2]
        self.login(MATH, candidate)
        before = self.remaining_seconds()
        self.browser.execute_script("window.open('about:blank')")
        self.browser.switch_to.window(self.browser.window_handles[1])
        self.staff_login("proctor", MATH)
        self.by_id("staff-refresh").click()
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, f"button.add-time[data-sbd='{candidate['sbd']}']"))
        # The table redraws every 5 s except while the proctor works in it: start again if it redrew under us.
        for attempt in range(3):
            try:
                row = self.browser.find_element(By.CSS_SELECTOR, f"tr[data-sbd='{candidate['sbd']}']")
                minutes = row.find_element(By.CSS_SELECTOR, "input.minutes")
                minutes.clear()
                minutes.send_keys("10")
                row.find_element(By.CSS_SELECTOR, "input.reason").send_keys("Mất điện")
                row.find_element(By.CSS_SELECTOR, "button.add-time").click()
                break
            except StaleElementReferenceException:
                if attempt == 2:
                    raise
        self.wait(lambda: candidate["sbd"] in self.by_id("staff-message").text)
        # A proctor may not release results or download scores.
        self.assertFalse(self.by_id("staff-release").is_displayed())
        self.browser.switch_to.window(self.browser.window_handles[0])
        self.wait(lambda: self.remaining_seconds() > before + 500, 30, "the added time did not reach the candidate")

    def test_coordinator_releases_results_and_downloads_the_score_sheet(self):
        candidate = SERVER.candidates(MATH)[3]
        self.login(MATH, candidate)
        self.answer_first_choice()
        self.all_saved()
        self.by_id("submit").click()
        self.visible("dialog")
        self.by_id("dialog-yes").click()
        self.visible("result", timeout=30)
        self.wait(lambda: self.browser.find_elements(By.ID, "result-later"), 15, "results should wait for release")

        self.staff_login("coordinator", MATH, language="en")
        # The session is still running: the release needs a reason (and is audited so).
        self.by_id("release-reason").send_keys("the whole room has handed in")
        self.by_id("staff-release").click()
        self.visible("release-yes").click()
        self.wait(lambda: "released" in self.by_id("staff-message").text.lower())
        raw = self.browser.execute_async_script(
            "var done = arguments[0]; fetch(document.getElementById('staff-download').href).then(r => r.arrayBuffer())"
            ".then(b => done(Array.from(new Uint8Array(b))));")
        self.assertEqual(raw[:3], [0xEF, 0xBB, 0xBF], "the CSV starts with a UTF-8 BOM for Excel")
        sheet = bytes(raw[3:]).decode("utf-8")
        self.assertTrue(sheet.startswith("SBD,"), sheet[:40])
        line = next(l for l in sheet.splitlines() if l.startswith(candidate["sbd"] + ","))
        self.assertRegex(line.split(",", 6)[6], r'^"?\d')

        # The candidate now sees the score.
        self.browser.get(SERVER.url + "thi?lang=vi")
        self.wait(lambda: self.browser.find_elements(By.ID, "score"), 20, "the score is not shown after release")

    def answer_first_choice(self):
        article = self.show(0)
        article.find_elements(By.CSS_SELECTOR, "label.option")[0].click()

    def test_a_second_computer_takes_over_and_the_first_page_says_so(self):
        candidate = SERVER.candidates(PRACTICE)[5]
        self.login(PRACTICE, candidate)
        self.answer(self.show(0))
        self.all_saved()
        # The same candidate signs in on another computer: the attempt moves there, answers and all.
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1024,768"]:
            options.add_argument(argument)
        other = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        try:
            first, self.browser = self.browser, other
            self.login(PRACTICE, candidate)
            self.assertIn("answered", self.by_id("nav-0").get_attribute("class"))
            self.browser = first
        finally:
            other.quit()
        # The first page's next save is refused: it stops and says why.
        self.answer(self.show(1))
        self.wait(lambda: "máy khác" in self.by_id("notice").text, 20, "the old page did not say it was taken over")
        self.assertTrue(self.by_id("submit").get_attribute("disabled") is not None)

    def test_keyboard_alone(self):
        candidate = SERVER.candidates(MATH)[7]
        self.browser.get(SERVER.url)
        # The SBD field has the focus on arrival; Shift+Tab goes back to the exam list, typing picks the exam,
        # Tab moves on, Enter signs in.
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "sbd")
        self.browser.switch_to.active_element.send_keys(Keys.SHIFT + Keys.TAB)
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "exam")
        self.browser.switch_to.active_element.send_keys(MATH)
        self.assertEqual(Select(self.by_id("exam")).first_selected_option.get_attribute("value"), MATH)
        self.browser.switch_to.active_element.send_keys(Keys.TAB + candidate["sbd"] + Keys.TAB + candidate["accessCode"] + Keys.ENTER)
        self.visible("confirm")
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "confirm-yes")
        self.browser.switch_to.active_element.send_keys(Keys.ENTER)
        self.visible("test")
        # The first question's first option has the focus: Space chooses it.
        active = self.browser.switch_to.active_element
        self.assertEqual(active.get_attribute("type"), "radio")
        active.send_keys(Keys.SPACE)
        self.wait(lambda: "answered" in self.by_id("nav-0").get_attribute("class"))
        # Alt+F flags, Page Down moves on, Page Up comes back.
        self.browser.switch_to.active_element.send_keys(Keys.ALT + "f")
        self.wait(lambda: "flagged" in self.by_id("nav-0").get_attribute("class"))
        self.browser.switch_to.active_element.send_keys(Keys.PAGE_DOWN)
        self.wait(lambda: self.by_id("q-1").is_displayed())
        self.browser.switch_to.active_element.send_keys(Keys.PAGE_UP)
        self.wait(lambda: self.by_id("q-0").is_displayed())
        self.all_saved()

    def test_waiting_room_until_the_session_opens(self):
        exam = "Chờ mở — thử phòng chờ"
        opens = (datetime.now(timezone.utc) + timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cli("exam", "create", exam, "--bank", "Làm quen — các dạng câu hỏi", "--blueprint", "Làm quen — mọi dạng câu hỏi", "--codes", "1",
            "--session", "Ca=" + opens, "--duration", "5", "--room", "P1", "--policy", "from-start", "--db", SERVER.db)
        cli("exam", "candidates", "import", exam, os.path.join(ROOT, "QuestionBanks", "samples", "danh-sach-12A.csv"), "--db", SERVER.db)
        slips = os.path.join(SERVER.dir, "waiting.json")
        cli("exam", "prepare", exam, "--slips", os.path.join(SERVER.dir, "slips-waiting"), "--slips-json", slips, "--db", SERVER.db)
        candidate = json.load(open(slips))[0]
        self.browser.get(SERVER.url)
        Select(self.by_id("exam")).select_by_value(exam)
        self.by_id("sbd").send_keys(candidate["sbd"])
        self.by_id("code").send_keys(candidate["accessCode"] + Keys.ENTER)
        self.visible("confirm")
        self.by_id("confirm-yes").click()
        self.visible("waiting")
        self.assertFalse(self.by_id("start").is_enabled())
        self.assertRegex(self.by_id("opens-in").text, r"^0:[0-2]\d$")
        self.wait(lambda: self.by_id("start").is_enabled(), 40, "the start button did not open")
        self.by_id("start").click()
        self.visible("test")
        self.assertGreater(self.remaining_seconds(), 4 * 60)

    def test_a_refused_event_is_dropped_alone(self):
        candidate = SERVER.candidates(PRACTICE)[7]
        self.login(PRACTICE, candidate)
        self.answer(self.show(0))
        self.all_saved()
        # A queue left by a buggy page: an item that is not on the paper, then a good answer to question 2.
        key = self.by_id("q-1").get_attribute("data-key")
        self.browser.execute_script("""
            var id = 'khaothi:' + arguments[0] + ':' + arguments[1] + ':queue';
            var kept = JSON.parse(localStorage.getItem(id));
            kept.events.push({sequence: kept.sequence + 1, item: 'XX.9', value: 'A'});
            kept.events.push({sequence: kept.sequence + 2, item: arguments[2], value: 'A'});
            kept.sequence += 2;
            localStorage.setItem(id, JSON.stringify(kept));
            """, PRACTICE, candidate["sbd"], key)
        self.browser.refresh()
        self.visible("test")
        self.all_saved()
        self.assertIn("XX.9", self.by_id("notice").text)
        # What the server holds comes back on the next load: the good answer is there.
        self.browser.refresh()
        self.visible("test")
        self.assertIn("answered", self.by_id("nav-1").get_attribute("class"))

    def test_english_switch_and_wrong_code(self):
        self.browser.get(SERVER.url + "?lang=en")
        self.assertIn("Sign in", self.browser.find_element(By.TAG_NAME, "h1").text)
        Select(self.by_id("exam")).select_by_value(PRACTICE)
        self.by_id("sbd").send_keys("0001")
        self.by_id("code").send_keys("WRONGCODE" + Keys.ENTER)
        self.wait(lambda: self.by_id("error").is_displayed())
        self.assertIn("Wrong", self.by_id("error").text)
        self.browser.get(SERVER.url)  # the language is remembered
        self.assertIn("Sign in", self.browser.find_element(By.TAG_NAME, "h1").text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
