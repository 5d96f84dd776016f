"""Real-browser tests of what happens after the test (issues: exam day, results): a teacher grades the practice
exam's essay blind and the candidate's provisional total turns final; the review after release shows the key and
lời giải; a coordinator fixes a key, sees the dry run of the regrade and commits it (with a reason while the
session runs); the statistics page draws its SVG charts; the results page marks pending totals and its XLSX
opens in openpyxl with numbers as numbers.
"""
import http.cookiejar
import io
import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from support import MATH, PRACTICE, SHOTS, BrowserTest, setUpModule, tearDownModule  # noqa: F401


class Client:
    """The JSON API as a page would call it, for setting the scene quickly (candidates who already sat)."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.url + path.lstrip("/"), data=json.dumps(body).encode() if body is not None else None, method=method,
                                         headers={"Content-Type": "application/json", "X-Khaothi": "1"})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def sit(server, exam, candidate, answer):
    """A candidate signs in, answers each item with `answer(item)` and submits, through the API."""
    client = Client(server.url)
    status, _ = client.call("POST", "/api/login", {"exam": exam, "sbd": candidate["sbd"], "accessCode": candidate["accessCode"]})
    assert status == 200, status
    status, attempt = client.call("POST", "/api/attempt/start")
    assert status == 200, attempt
    items = [item for part in attempt["paper"]["parts"] for item in part["items"]]
    events = [{"sequence": n + 1, "item": item["key"], "value": answer(item)} for n, item in enumerate(items)]
    assert client.call("POST", "/api/attempt/events", {"deviceToken": attempt["deviceToken"], "events": events})[0] == 200
    assert client.call("POST", "/api/attempt/submit", {"deviceToken": attempt["deviceToken"]})[0] == 200
    return client


class AfterTheTest(BrowserTest):
    def candidate_login(self, exam, candidate):
        self.browser.get(self.server.url)
        Select(self.by_id("exam")).select_by_value(exam)
        self.by_id("sbd").send_keys(candidate["sbd"])
        self.by_id("code").send_keys(candidate["accessCode"] + Keys.ENTER)
        self.wait(lambda: self.by_id("confirm").is_displayed() or self.by_id("test").is_displayed() or self.by_id("result").is_displayed())
        if self.by_id("confirm").is_displayed():
            self.by_id("confirm-yes").click()

    def submit_in_page(self):
        self.by_id("submit").click()
        self.visible("dialog")
        self.by_id("dialog-yes").click()
        self.visible("result", timeout=30)

    def fetch(self, method, path, body=None):
        """The API from the signed-in page (its cookie), as the page's own scripts call it."""
        return self.browser.execute_async_script("""
            var done = arguments[arguments.length - 1];
            fetch(arguments[1], { method: arguments[0], headers: { "Content-Type": "application/json", "X-Khaothi": "1" },
                                  body: arguments[2] === null ? undefined : JSON.stringify(arguments[2]) })
              .then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); });
        """, method, path, body)

    def test_a_teacher_grades_the_essay_blind_and_the_candidate_total_turns_final(self):
        candidate = self.server.candidates(PRACTICE)[20]
        self.candidate_login(PRACTICE, candidate)
        self.visible("test")
        essay = next(a for a in self.browser.find_elements(By.CSS_SELECTOR, "article[data-kind]") if a.get_attribute("data-kind") == "essay")
        self.by_id("nav-" + essay.get_attribute("id").split("-")[1]).click()
        box = self.wait(lambda: essay.find_element(By.CSS_SELECTOR, "textarea"))
        box.send_keys("Tự học giúp em chủ động, bền bỉ và biết tìm tài liệu.")
        self.wait(lambda: "saved" in self.by_id("save-state").get_attribute("class").split(), timeout=20)
        self.submit_in_page()
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#result-body .pill.provisional"), message="the pending total is not marked provisional")
        self.assertIn("tạm tính", self.by_id("result-body").text)
        candidate_tab = self.browser.current_window_handle

        self.browser.switch_to.new_window("tab")
        self.sign_in("teacher", "staff/grading")
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#grading-exams a"))
        row = next(r for r in self.browser.find_elements(By.CSS_SELECTOR, "#grading-exams tr") if PRACTICE in r.text)
        row.find_element(By.CSS_SELECTOR, "a").click()
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#grading-questions a.primary")).__getitem__(0).click()
        card = self.wait(lambda: self.browser.find_element(By.CSS_SELECTOR, f"li.grading-answer[data-sbd='{candidate['sbd']}']"))
        self.assertNotIn(candidate["fullName"], self.by_id("answers").text, "grading is blind: no names")
        self.assertIn("chủ động, bền bỉ", card.text)
        points = card.find_element(By.CSS_SELECTOR, "input[type=number]")
        card.find_element(By.CSS_SELECTOR, "textarea").send_keys("Ý đủ, cần thêm ví dụ.")
        points.send_keys("1.5" + Keys.ENTER)
        self.wait(lambda: "Điểm chốt: 1,5" in card.text, message="the grade was not saved")
        os.makedirs(SHOTS, exist_ok=True)
        self.browser.save_screenshot(os.path.join(SHOTS, "grading.png"))

        self.browser.switch_to.window(candidate_tab)
        self.browser.get(self.server.url + "thi")
        self.visible("result")
        self.wait(lambda: "1,5 / 2" in self.by_id("result-body").text and "Ý đủ, cần thêm ví dụ." in self.by_id("result-body").text)
        self.assertFalse(self.browser.find_elements(By.CSS_SELECTOR, "#result-body .pill.provisional"), "the total is final now")

    def test_the_review_after_release_shows_the_key_and_the_explanation(self):
        candidate = self.server.candidates(MATH)[21]
        self.candidate_login(MATH, candidate)
        self.visible("test")
        self.submit_in_page()
        self.wait(lambda: self.by_id("result-later").is_displayed())
        self.assertFalse(self.browser.find_elements(By.ID, "review"), "nothing is shown before the release")
        candidate_tab = self.browser.current_window_handle

        self.browser.switch_to.new_window("tab")
        self.sign_in("coordinator", "staff/results")
        status, _ = self.fetch("POST", "/api/staff/exams/" + urllib.parse.quote(MATH) + "/release-results", {"force": True, "reason": "phòng thi đã nộp hết"})
        self.assertEqual(status, 200)

        self.browser.switch_to.window(candidate_tab)
        self.browser.get(self.server.url + "thi")
        review = self.visible("review", timeout=30)
        self.assertIn("Đáp án:", review.text)
        self.assertIn("Lời giải:", review.text)
        first = review.find_element(By.CSS_SELECTOR, "article.review-item")
        self.assertTrue(all(not i.is_enabled() for i in first.find_elements(By.CSS_SELECTOR, "input")), "the review cannot be answered")
        self.browser.set_window_size(360, 640)
        width = self.browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        self.assertLessEqual(width[0], width[1], "the review is wider than a phone")
        os.makedirs(SHOTS, exist_ok=True)
        self.browser.save_screenshot(os.path.join(SHOTS, "review-360x640.png"))

    def test_a_coordinator_fixes_a_key_sees_the_dry_run_and_commits_the_regrade(self):
        # Three candidates answered the first choice question with "A"; the teacher then fixes its key.
        chosen = self.server.candidates(PRACTICE)[25:28]
        for candidate in chosen:
            sit(self.server, PRACTICE, candidate, lambda item: "A" if item["kind"] == "single-choice" else "")
        self.sign_in("teacher", "staff/banks")
        bank = "Làm quen — các dạng câu hỏi"
        path = "/api/staff/banks/" + urllib.parse.quote(bank) + "/questions/lq-chon-3"
        status, text = self.fetch("GET", path)
        self.assertEqual(status, 200)
        detail = json.loads(text)
        question = detail["question"]
        ids = [o["id"] for o in question["options"]]
        question["answer"] = ids[(ids.index(question["answer"]) + 1) % len(ids)]
        status, text = self.fetch("PUT", path, {"question": question, "baseRevision": detail["currentRevision"]})
        self.assertEqual(status, 200, text)
        self.by_id("staff-logout").click()
        self.visible("staff-login")

        self.sign_in("coordinator", "staff/results?exam=" + urllib.parse.quote(PRACTICE))
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#results-rows tr"))
        self.by_id("regrade-dry").click()
        summary = self.visible("regrade-summary")
        self.assertIn("chạy thử", summary.text)
        self.assertIn("lq-chon-3", self.by_id("regrade-report").text)
        self.by_id("regrade-commit").click()
        self.visible("regrade-yes").click()
        # The demo's session runs all day: a reason is asked for, then the regrade is stored (audited as forced).
        self.visible("regrade-force")
        self.by_id("regrade-reason").send_keys("đáp án câu 1 bị nhập sai")
        self.by_id("regrade-force-yes").click()
        self.wait(lambda: "Đã lưu chấm lại" in self.by_id("regrade-summary").text)
        self.by_id("regrade-dry").click()
        self.visible("regrade-nothing")

    def test_the_statistics_page_draws_its_charts(self):
        for n, candidate in enumerate(self.server.candidates(MATH)[30:36]):
            sit(self.server, MATH, candidate, lambda item, n=n: "ABCD"[(n + len(item["key"])) % 4] if item["kind"] == "single-choice" else "")
        self.sign_in("coordinator", "staff/statistics?exam=" + urllib.parse.quote(MATH))
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#st-items tr"), timeout=30)
        self.wait(lambda: self.browser.execute_script(
            "return ['st-histogram', 'st-scatter'].every(function (id) { var i = document.getElementById(id); return i.complete && i.naturalWidth > 0; })"),
            message="the SVG charts did not load")
        self.assertRegex(self.by_id("st-test").text, r"\d+,\d\d")
        self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "#st-options img.chart"), "no options chart")
        os.makedirs(SHOTS, exist_ok=True)
        self.browser.set_window_size(1024, 2400)
        self.browser.save_screenshot(os.path.join(SHOTS, "statistics.png"))

    def test_the_results_page_marks_pending_totals_and_its_xlsx_opens(self):
        import openpyxl
        sit(self.server, PRACTICE, self.server.candidates(PRACTICE)[30], lambda item: "Bài viết." if item["kind"] == "essay" else "")
        self.sign_in("coordinator", "staff/results?exam=" + urllib.parse.quote(PRACTICE))
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#results-rows tr.state-pending"))
        self.assertIn("Chờ chấm (điểm tạm tính)", self.by_id("results-rows").text)
        href = self.by_id("dl-xlsx").get_attribute("href")
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.browser.get_cookies())
        with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie}), timeout=60) as response:
            workbook = openpyxl.load_workbook(io.BytesIO(response.read()))
        sheet = workbook.active
        header = [cell.value for cell in sheet[3]]
        self.assertIn("Điểm", header)
        self.assertIn("Trạng thái", header)
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
        pending = [row for row in rows if row[header.index("Trạng thái")] == "chờ chấm (điểm tạm tính)"]
        self.assertTrue(pending, "the pending state is in the sheet")
        self.assertIsInstance(pending[0][header.index("Điểm")], (int, float), "scores are numbers in the workbook")

    def test_a_coordinator_pushes_an_exam_into_the_gradebook_and_downloads_the_sheet(self):
        import openpyxl
        candidates = self.server.candidates(MATH)[36:39]
        for candidate in candidates:
            sit(self.server, MATH, candidate, lambda item: "A" if item["kind"] == "single-choice" else "")
        self.sign_in("coordinator", "staff/gradebook")
        self.visible("gb-pick")
        self.browser.find_element(By.CSS_SELECTOR, "#gb-subjects-box summary").click()
        self.by_id("s-name").send_keys("Toán")
        periods = self.by_id("s-periods")
        periods.clear()
        periods.send_keys("105")
        self.browser.find_element(By.CSS_SELECTOR, "#gb-subject-form button").click()
        self.wait(lambda: Select(self.by_id("gb-subject")).first_selected_option.get_attribute("value") == "Toán")
        self.wait(lambda: any(o.get_attribute("value") == MATH for o in Select(self.by_id("p-exam")).options))
        Select(self.by_id("p-exam")).select_by_value(MATH)
        Select(self.by_id("p-slot")).select_by_value("gk")
        self.by_id("p-dry").click()
        summary = self.visible("push-summary")
        self.assertIn("chạy thử", summary.text)
        self.by_id("p-commit").click()
        self.wait(lambda: "Đã chuyển điểm" in self.by_id("push-summary").text)

        self.by_id("gb-class").send_keys(candidates[0]["className"])
        self.by_id("gb-open").click()
        row = self.wait(lambda: self.browser.find_element(By.CSS_SELECTOR, f"#gb-rows tr[data-student='{candidates[0]['studentID']}']"))
        self.assertTrue(row.find_element(By.CSS_SELECTOR, "input[data-semester='1'][data-slot='gk']").get_attribute("value"), "the pushed ĐĐGgk")
        for slot, value in [("tx1", "8"), ("tx2", "7,5"), ("tx3", "9"), ("tx4", "6"), ("ck", "8,5")]:
            box = self.browser.find_element(By.CSS_SELECTOR, f"#gb-rows tr[data-student='{candidates[0]['studentID']}'] input[data-semester='1'][data-slot='{slot}']")
            box.send_keys(value + Keys.TAB)
            # Saved and drawn again (the sheet is redrawn with the stored values: wait before the next cell).
            self.wait(lambda: self.by_id("gb-rows").get_attribute("data-busy") is None, message="the cell was not saved")
            self.wait(lambda slot=slot, value=value: self.browser.find_element(
                By.CSS_SELECTOR, f"#gb-rows tr[data-student='{candidates[0]['studentID']}'] input[data-semester='1'][data-slot='{slot}']").get_attribute("value") == value)
        average = lambda: self.browser.find_element(By.CSS_SELECTOR, f"#gb-rows tr[data-student='{candidates[0]['studentID']}'] td.average").text
        self.wait(lambda: average() != "", message="ĐTBmhk was not computed")
        self.assertRegex(average(), r"^\d+(,\d)?$")
        os.makedirs(SHOTS, exist_ok=True)
        self.browser.save_screenshot(os.path.join(SHOTS, "gradebook.png"))

        href = self.by_id("x-xlsx").get_attribute("href")
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.browser.get_cookies())
        with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie}), timeout=60) as response:
            data = response.read()
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        self.assertIn("BẢNG ĐIỂM CHI TIẾT - MÔN TOÁN - HỌC KỲ I", sheet["A3"].value)
        # LibreOffice (the other independent reader) opens it too, with the Vietnamese text intact.
        if shutil.which("soffice"):
            folder = tempfile.mkdtemp(prefix="khaothi-sheet-")
            with open(os.path.join(folder, "so-diem.xlsx"), "wb") as f:
                f.write(data)
            subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", folder,
                            os.path.join(folder, "so-diem.xlsx")], capture_output=True, timeout=120, env={**os.environ, "HOME": folder})
            with open(os.path.join(folder, "so-diem.csv"), encoding="utf-8") as f:
                text = f.read()
            self.assertIn("BẢNG ĐIỂM CHI TIẾT - MÔN TOÁN - HỌC KỲ I", text)
            self.assertIn("STT,Mã học sinh,Họ và tên đệm,Tên", text)
        header = [cell.value for cell in sheet[6]]
        self.assertEqual(header[:4], ["STT", "Mã học sinh", "Họ và tên đệm", "Tên"])
        self.assertIn("ĐTBmhk", header)
        student = next(r for r in sheet.iter_rows(min_row=7, values_only=True) if r[1] == candidates[0]["studentID"])
        self.assertEqual(student[header.index("ĐĐGtx 2")], 7.5)
        self.assertIsInstance(student[header.index("ĐTBmhk")], (int, float))
