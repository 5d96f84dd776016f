"""Real-browser tests of classwork from home (issue: regular online assessment): a teacher gives class 12A an
assignment (two attempts, the key and lời giải at once) on /staff/classes; a student signs in on a phone (Chromium's
mobile emulation, 360×640) with the password of their printed slip, sets their own, does the assignment, reloads
mid-way without losing an answer and sees the lời giải; a second student (412×915) submits after the due time and is
marked late; the teacher's class table shows both and pushes the scores into ĐĐGtx 1; practice gives right or wrong
with the lời giải after each question.
"""
import os
import time
from datetime import datetime, timedelta

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from support import SHOTS, BrowserTest, setUpModule, tearDownModule  # noqa: F401

# The due time of the assignment the teacher makes: soon enough for the second student to be late.
DUE_IN = 75


class Classwork(BrowserTest):
    def phone(self, width, height):
        """A second Chromium emulating a phone of this size (touch, device pixels), for the student."""
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=vi"]:
            options.add_argument(argument)
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": True},
                                                            "userAgent": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"})
        driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        driver.set_page_load_timeout(30)
        self.addCleanup(driver.quit)
        return driver

    def student_signs_in(self, slip, new_password):
        self.browser.get(self.server.url + "hoc")
        self.visible("signin")
        self.by_id("s-id").send_keys(slip["studentID"])
        self.by_id("s-password").send_keys(slip["password"] + Keys.ENTER)
        self.visible("change", timeout=40)
        self.by_id("c-current").send_keys(slip["password"])
        self.by_id("c-password").send_keys(new_password)
        self.by_id("c-again").send_keys(new_password + Keys.ENTER)
        self.visible("home", timeout=40)

    def card(self, title):
        return self.wait(lambda: next((li for li in self.browser.find_elements(By.CSS_SELECTOR, "ul.cards li.assignment") if title in li.text), None), 15,
                         f"no card for {title}")

    def no_wider_than_the_screen(self):
        overflow = self.browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        self.assertLessEqual(overflow, 0, "the page is wider than the phone")

    def answer_first_options(self, count):
        """Picks the first option of the first `count` single-choice items."""
        done = 0
        for index in range(len(self.browser.find_elements(By.CSS_SELECTOR, "#questions article.question"))):
            button = self.by_id(f"nav-{index}")
            self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
            button.click()
            article = self.wait(lambda: self.by_id(f"q-{index}").is_displayed() and self.by_id(f"q-{index}"))
            if article.get_attribute("data-kind") != "single-choice":
                continue
            option = article.find_elements(By.CSS_SELECTOR, "label.option")[0]
            self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", option)
            option.click()
            done += 1
            if done == count:
                return
        self.assertEqual(done, count, "not enough single-choice items")

    def test_teacher_assigns_students_do_it_on_phones_one_late_and_scores_go_to_the_gradebook(self):
        title = "Bài tập trình duyệt"
        # The teacher gives 12A an assignment: due in DUE_IN seconds, late work taken for a day, 2 attempts.
        self.sign_in("teacher", "staff/classes")
        self.wait(lambda: len(Select(self.by_id("cl-pick")).options) > 1)
        Select(self.by_id("cl-pick")).select_by_index(1)
        self.visible("cl-box")
        self.wait(lambda: "Bài tập về nhà" in self.by_id("as-rows").text)
        self.by_id("as-new-box").find_element(By.TAG_NAME, "summary").click()
        self.by_id("a-title").send_keys(title)
        self.wait(lambda: len(Select(self.by_id("a-bank")).options) > 0)
        Select(self.by_id("a-bank")).select_by_value("Làm quen — các dạng câu hỏi")
        Select(self.by_id("a-blueprint")).select_by_value("Làm quen — mọi dạng câu hỏi")
        now = datetime.now()
        due = now + timedelta(seconds=DUE_IN + 60)  # datetime-local has minutes: the due time is set below to the second
        local = lambda d: d.strftime("%Y-%m-%dT%H:%M")
        self.browser.execute_script("arguments[0].value = arguments[1]; arguments[2].value = arguments[3];",
                                    self.by_id("a-opens"), local(now - timedelta(minutes=1)), self.by_id("a-late"), local(now + timedelta(days=1)))
        self.browser.execute_script("arguments[0].value = arguments[1];", self.by_id("a-closes"), local(due))
        self.by_id("a-attempts").clear()
        self.by_id("a-attempts").send_keys("2")
        Select(self.by_id("a-review")).select_by_value("key")
        Select(self.by_id("a-review-after")).select_by_value("submit")
        self.by_id("as-form").find_element(By.CSS_SELECTOR, "button.primary").click()
        self.visible("at-box", timeout=60)
        self.assertIn(title, self.by_id("at-title").text)
        closes_at = time.time() + (due.replace(second=0, microsecond=0) - now).total_seconds()
        self.browser.save_screenshot(os.path.join(SHOTS, "classes-teacher-1024x768.png"))
        teacher = self.browser

        # Student 1 on a 360×640 phone: the slip's password, a new one, the assignment, a reload mid-way, the lời giải.
        slips = self.server.logins["classwork"]["students"]
        self.browser = self.phone(360, 640)
        self.student_signs_in(slips[0], "mat-khau-cua-em")
        self.no_wider_than_the_screen()
        self.browser.save_screenshot(os.path.join(SHOTS, "hoc-home-360x640.png"))
        start = self.card(title).find_element(By.CSS_SELECTOR, "button.start")
        self.assertGreaterEqual(start.size["height"], 40, "touch-sized")
        start.click()
        self.visible("test", timeout=40)
        self.answer_first_options(2)
        self.wait(lambda: "saved" in self.by_id("save-state").get_attribute("class").split(), 30, "answers not saved")
        self.browser.refresh()
        self.visible("test", timeout=40)
        answered = [n for n in self.browser.find_elements(By.CSS_SELECTOR, "#nav-grid .nav") if "answered" in n.get_attribute("class")]
        self.assertEqual(len(answered), 2, "answers lost on reload")
        self.no_wider_than_the_screen()
        self.browser.save_screenshot(os.path.join(SHOTS, "hoc-test-360x640.png"))
        self.by_id("submit").click()
        self.visible("dialog")
        self.by_id("dialog-yes").click()
        self.visible("result", timeout=30)
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, ".review-explanation"), 20, "no lời giải after submitting")
        self.browser.save_screenshot(os.path.join(SHOTS, "hoc-result-360x640.png"))
        self.by_id("logout").click()  # "Về trang bài tập"
        self.visible("home", timeout=30)
        card = self.card(title)
        self.assertIn("/ 10", card.text)
        self.assertTrue(card.find_elements(By.CSS_SELECTOR, "button.start"), "a second attempt is allowed")

        # Student 2 on a 412×915 phone, after the due time: taken, marked late.
        self.browser = self.phone(412, 915)
        self.student_signs_in(slips[1], "mat-khau-ban-2")
        time.sleep(max(0, closes_at - time.time() + 2))
        self.browser.refresh()
        self.visible("home", timeout=30)
        late = self.card(title)
        self.assertIn("late", late.get_attribute("class"))
        late.find_element(By.CSS_SELECTOR, "button.start").click()
        self.visible("test", timeout=40)
        self.answer_first_options(1)
        self.by_id("submit").click()
        self.visible("dialog")
        self.by_id("dialog-yes").click()
        self.visible("result", timeout=30)
        self.by_id("logout").click()
        self.visible("home", timeout=30)
        self.assertIn("nộp muộn", self.card(title).text)
        self.browser.save_screenshot(os.path.join(SHOTS, "hoc-late-412x915.png"))

        # The teacher's class table: one submitted, one late; the scores into ĐĐGtx 1 (dry run, then for real).
        self.browser = teacher
        self.browser.refresh()
        self.visible("cl-box", timeout=30)
        row = self.wait(lambda: next((tr for tr in self.browser.find_elements(By.CSS_SELECTOR, "#as-rows tr") if title in tr.text), None))
        row.find_element(By.TAG_NAME, "button").click()
        self.visible("at-box")
        self.wait(lambda: "nộp muộn: 1" in self.by_id("at-counts").text and "đã nộp: 1" in self.by_id("at-counts").text, 15, "counts")
        self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "#at-facility span"), "no facility strip")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#at-rows tr.state-late")), 1)
        Select(self.by_id("p-subject")).select_by_value("Toán")
        Select(self.by_id("p-slot")).select_by_value("tx1")
        self.by_id("p-dry").click()
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, ".push-summary") and self.by_id("p-commit").is_displayed())
        self.by_id("p-commit").click()
        self.wait(lambda: "Đã chuyển điểm vào sổ" in self.by_id("push-report").text and "2 điểm" in self.by_id("push-report").text, 15,
                  "push not committed: " + self.by_id("push-report").text)
        self.browser.save_screenshot(os.path.join(SHOTS, "classes-table-1024x768.png"))

    def test_practice_gives_right_or_wrong_with_the_worked_solution(self):
        slip = self.server.logins["classwork"]["students"][5]
        self.browser.set_window_size(360, 640)
        self.student_signs_in(slip, "luyen-tap-123")
        practice = self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#practice li button.primary"))[0]
        Select(self.browser.find_element(By.CSS_SELECTOR, "#practice li select")).select_by_value("5")
        practice.click()
        self.visible("practice-run")
        for n in range(5):
            self.wait(lambda: f"{n + 1} / 5" in self.by_id("practice-count").text)
            box = self.by_id("practice-question")
            # Each control brought to the middle of the phone's screen first: the sticky bar covers the top.
            def press(element):
                self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
                element.click()
            options = box.find_elements(By.CSS_SELECTOR, "label.option")
            if options:
                press(options[0])
            else:
                field = box.find_elements(By.CSS_SELECTOR, "input.numeric, input.short-text, input[type=text], textarea")
                if field:
                    self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", field[0])
                    field[0].send_keys("1")
                    field[0].send_keys(Keys.TAB)
                else:
                    for row in box.find_elements(By.CSS_SELECTOR, "table.true-false tbody tr"):
                        press(row.find_element(By.CSS_SELECTOR, "input[value='Đ']"))
            press(self.by_id("practice-check"))
            verdict = self.visible("practice-verdict")
            self.assertIn(verdict.text, ("Đúng rồi!", "Chưa đúng — xem đáp án và lời giải bên dưới."))
            self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "#practice-feedback .review-key"), "no key after the answer")
            if n == 0:
                self.no_wider_than_the_screen()
                self.browser.save_screenshot(os.path.join(SHOTS, "hoc-practice-360x640.png"))
            press(self.by_id("practice-next"))
        self.visible("home")
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#progress tbody tr"), 15, "no practice history")
        answered = sum(int(row.find_elements(By.TAG_NAME, "td")[1].text) for row in self.browser.find_elements(By.CSS_SELECTOR, "#progress tbody tr"))
        self.assertEqual(answered, 5)
