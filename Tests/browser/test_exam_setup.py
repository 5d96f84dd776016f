"""Real-browser tests of exam setup (issue: exam day in the browser): a coordinator creates an exam from the
pages, uploads a class list with two bad rows, sees them by row, fixes the file, prepares the exam and prints
the login slips of one room; a release while the session runs is refused until given a reason, then withdrawn;
an admin adds a staff account and disables it.
"""
import os
import tempfile
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

# The module's demo server: started before its tests, stopped after.
from support import SHOTS, BrowserTest, setUpModule, tearDownModule  # noqa: F401

PHYSICS_BANK = "Vật lí 12"
PHYSICS_BLUEPRINT = "Vật lí 12 — đề theo mẫu 2025"
MATH = "Demo — Toán 12 (mẫu 2025)"
PRACTICE = "Demo — Làm quen (mọi dạng câu hỏi)"


class ExamSetupTest(BrowserTest):
    def upload(self, rows):
        folder = tempfile.mkdtemp(prefix="khaothi-class-")
        path = os.path.join(folder, "lop-11A.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("Mã học sinh,Họ và tên,Ngày sinh,Lớp\n" + "".join(row + "\n" for row in rows))
        self.by_id("class-file").send_keys(path)
        self.by_id("upload").click()

    def test_coordinator_creates_uploads_a_class_list_prepares_and_prints_slips(self):
        self.sign_in("coordinator", "staff/setup")
        self.visible("new-exam").click()
        self.visible("create-form")
        self.wait(lambda: len(Select(self.by_id("c-blueprint")).options) > 1, message="blueprints not listed")
        self.by_id("c-name").send_keys("Giữa kỳ Vật lí 11A")
        Select(self.by_id("c-blueprint")).select_by_value(PHYSICS_BLUEPRINT)
        Select(self.by_id("c-bank")).select_by_value(PHYSICS_BANK)
        self.by_id("c-rooms").send_keys("P201, P202")
        self.by_id("create").click()
        self.visible("exam-panel")
        self.wait(lambda: self.by_id("exam-title").text == "Giữa kỳ Vật lí 11A")

        self.upload(["HS1,Nguyễn An,01/02/2009,11A", ",Trần Bình,03/04/2009,11A", "HS3,Lê Chi,31/02/2009,11A", "HS4,Phạm Dũng,05/06/2009,11A"])
        problems = self.visible("upload-problems")
        self.wait(lambda: "lop-11A.csv:3" in problems.text and "lop-11A.csv:4" in problems.text, message="bad rows not named")
        self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, "#candidates tr"), [], "nothing stored from a refused list")

        self.upload(["HS1,Nguyễn An,01/02/2009,11A", "HS2,Trần Bình,03/04/2009,11A", "HS3,Lê Chi,28/02/2009,11A", "HS4,Phạm Dũng,05/06/2009,11A"])
        self.wait(lambda: len(self.browser.find_elements(By.CSS_SELECTOR, "#candidates tr")) == 4, message="candidates not listed")
        self.assertFalse(self.by_id("upload-problems").is_displayed())

        # A draft can still change as a whole: a capacity for one room.
        self.visible("edit-exam").click()
        self.wait(lambda: self.by_id("create").text == "Lưu thay đổi")
        rooms = self.by_id("c-rooms")
        rooms.clear()
        rooms.send_keys("P201:30, P202")
        self.by_id("create").click()
        self.wait(lambda: "P201 (30 chỗ)" in self.by_id("exam-facts").text, message="the edit did not show")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#candidates tr")), 4, "the candidates stay")

        self.by_id("prepare").click()
        self.visible("prepare-yes").click()
        self.visible("prepared-tools")
        self.assertFalse(self.by_id("edit-exam").is_displayed(), "a prepared exam cannot be edited")
        self.assertIn("/staff/print/view?exam=", self.by_id("papers-link").get_attribute("href"))
        # The proctor of room P201.
        proctor = self.server.staff("proctor")["username"]
        line = self.browser.find_element(By.CSS_SELECTOR, ".room-proctors[data-room='P201']")
        line.find_element(By.CSS_SELECTOR, f"input[value='{proctor}']").click()
        line.find_element(By.CSS_SELECTOR, "button.save-proctors").click()
        self.wait(lambda: "P201" in self.by_id("notice").text)
        self.wait(lambda: self.browser.find_element(By.CSS_SELECTOR, f".room-proctors[data-room='P201'] input[value='{proctor}']").is_selected())
        self.wait(lambda: all(cell.text for cell in self.browser.find_elements(By.CSS_SELECTOR, "#candidates tr td:nth-child(5)")), message="no SBD")
        self.visible("slips-link")
        # The panel may redraw (a save reloads it): click the link as it is now, clear of the sticky bar.
        self.browser.execute_script("var a = document.getElementById('slips-link'); a.scrollIntoView({block: 'center'}); a.click();")
        self.wait(lambda: len(self.browser.find_elements(By.CSS_SELECTOR, ".slip")) == 4, message="slips not drawn")
        rooms = [s.get_attribute("data-room") for s in self.browser.find_elements(By.CSS_SELECTOR, ".slips-room")]
        self.assertEqual(sorted(rooms), ["P201", "P202"])
        Select(self.by_id("room-select")).select_by_value("P202")
        self.wait(lambda: [s.get_attribute("data-room") for s in self.browser.find_elements(By.CSS_SELECTOR, ".slips-room")] == ["P202"])
        slip = self.browser.find_elements(By.CSS_SELECTOR, ".slip")[0].text
        self.assertIn("Giữa kỳ Vật lí 11A", slip)
        self.assertRegex(slip, r"SBD: \d{4}")
        self.assertRegex(slip, r"Mã truy cập: \S{4,}")
        self.browser.save_screenshot(os.path.join(os.environ.get("KHAOTHI_SHOTS", "/tmp"), "slips.png"))

    def test_release_waits_for_the_session_or_a_reason_and_can_be_withdrawn(self):
        self.sign_in("coordinator", "staff/exams", language="en")
        self.visible("staff-exam")
        Select(self.by_id("staff-exam-select")).select_by_value(MATH)
        self.visible("release-panel")
        self.wait(lambda: "running" in self.by_id("release-state").text)
        self.by_id("staff-release").click()
        self.visible("release-yes").click()
        self.wait(lambda: "still running" in self.by_id("staff-message").text, message="a release during the session was not refused")
        self.by_id("release-reason").send_keys("every room has handed in")
        self.by_id("staff-release").click()
        self.visible("release-yes").click()
        self.wait(lambda: self.by_id("staff-message").text == "Results released.")
        self.wait(lambda: "Released at" in self.by_id("release-state").text and "by" in self.by_id("release-state").text)
        self.visible("staff-withdraw")
        self.by_id("release-reason").send_keys("a wrong key in question 3")
        self.by_id("staff-withdraw").click()
        self.visible("release-yes").click()
        self.wait(lambda: self.by_id("staff-message").text == "Results withdrawn.")
        self.wait(lambda: "not released" in self.by_id("release-state").text)

    def test_proctor_pauses_and_resumes_a_candidate_whose_page_stops_and_says_why(self):
        candidate = self.server.candidates(MATH)[7]
        self.candidate_login(MATH, candidate)
        candidate_tab = self.browser.current_window_handle

        row = self.proctor_tab(MATH, candidate)
        self.wait(lambda: row().find_elements(By.CSS_SELECTOR, "button.pause"), message="no pause button")
        row().find_element(By.CSS_SELECTOR, "button.pause").click()
        self.wait(lambda: "lý do" in self.by_id("staff-message").text.lower(), message="a pause without a reason was not stopped")
        row().find_element(By.CSS_SELECTOR, "input.reason").send_keys("Máy treo, chuyển máy")
        row().find_element(By.CSS_SELECTOR, "button.pause").click()
        self.wait(lambda: "Đã tạm dừng" in self.by_id("staff-message").text)
        self.wait(lambda: "tạm dừng" in row().text and row().find_elements(By.CSS_SELECTOR, "button.resume"))
        self.assertIn("tạm dừng: 1", self.by_id("totals").text)

        self.browser.switch_to.window(candidate_tab)
        self.wait(lambda: "paused" in self.browser.find_element(By.TAG_NAME, "body").get_attribute("class").split(), 40,
                  "the candidate's page did not stop")
        self.assertTrue(self.by_id("notice").is_displayed())
        self.wait(lambda: "tạm dừng" in self.by_id("timer").text, message="the timer does not say paused")
        frozen = self.by_id("timer").text
        self.browser.execute_script("return new Promise(r => setTimeout(r, 2500))")
        self.assertEqual(self.by_id("timer").text, frozen, "the clock moved while paused")

        self.browser.switch_to.window(self.browser.window_handles[1])
        row().find_element(By.CSS_SELECTOR, "input.reason").send_keys("Đã chuyển máy")
        row().find_element(By.CSS_SELECTOR, "button.resume").click()
        self.wait(lambda: "Đã cho tiếp tục" in self.by_id("staff-message").text)
        # The candidate's room alone, then minutes for everyone still working in it.
        room = row().find_elements(By.TAG_NAME, "td")[3].text
        Select(self.by_id("staff-room")).select_by_value(room)
        self.wait(lambda: all(r.find_elements(By.TAG_NAME, "td")[3].text == room for r in self.browser.find_elements(By.CSS_SELECTOR, "#staff-rows tr")))
        self.visible("room-time")
        self.by_id("room-reason").send_keys("Mất điện cả phòng")
        self.by_id("room-add").click()
        self.wait(lambda: "Đã thêm 5 phút" in self.by_id("staff-message").text and f"phòng {room}" in self.by_id("staff-message").text)
        # Vắng: a candidate who has not come.
        absent = self.browser.find_element(By.CSS_SELECTOR, "#staff-rows button.absent").get_attribute("data-sbd")
        self.browser.find_element(By.CSS_SELECTOR, f"#staff-rows button.absent[data-sbd='{absent}']").click()
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, f"#staff-rows button.present[data-sbd='{absent}']"))
        self.assertIn("vắng", self.browser.find_element(By.CSS_SELECTOR, f"tr[data-sbd='{absent}']").text)
        self.assertIn("vắng: 1", self.by_id("totals").text)
        # A biên bản for the room, then the room's log to print.
        self.browser.find_element(By.CSS_SELECTOR, "#incident-box summary").click()
        self.by_id("incident-note").send_keys("Mất điện 5 phút, cả phòng được thêm giờ")
        self.by_id("incident-save").click()
        self.wait(lambda: self.by_id("staff-message").text == "Đã ghi biên bản.")
        self.by_id("room-log").click()
        self.wait(lambda: len(self.browser.find_elements(By.CSS_SELECTOR, "#log-rows tr")) >= 4, message="the room log is empty")
        log = self.by_id("log-rows").text
        for expected in ["Tạm dừng", "Tiếp tục", "Thêm giờ", "Ghi vắng", "Biên bản", "Mất điện 5 phút, cả phòng được thêm giờ"]:
            self.assertIn(expected, log)
        self.assertIn(room, self.by_id("log-title").text)
        self.browser.back()
        self.visible("staff-exam")
        self.browser.switch_to.window(candidate_tab)
        self.wait(lambda: "paused" not in self.browser.find_element(By.TAG_NAME, "body").get_attribute("class").split(), 40,
                  "the candidate's page did not resume")

    def proctor_tab(self, exam, candidate):
        """A second tab where the proctor watches `exam`; returns a finder for the candidate's row (redrawn often)."""
        self.browser.switch_to.new_window("tab")
        self.sign_in("proctor", "staff/exams")
        self.visible("staff-exam")
        Select(self.by_id("staff-exam-select")).select_by_value(exam)
        return lambda: self.browser.find_element(By.CSS_SELECTOR, f"tr[data-sbd='{candidate['sbd']}']")

    def candidate_login(self, exam, candidate):
        self.browser.get(self.server.url)
        Select(self.by_id("exam")).select_by_value(exam)
        self.by_id("sbd").send_keys(candidate["sbd"])
        self.by_id("code").send_keys(candidate["accessCode"] + Keys.ENTER)
        self.wait(lambda: self.by_id("confirm").is_displayed() or self.by_id("test").is_displayed())
        if self.by_id("confirm").is_displayed():
            self.by_id("confirm-yes").click()
        self.visible("test")

    def test_a_partly_marked_true_false_cluster_is_not_answered_and_the_submit_dialog_links_to_it(self):
        self.candidate_login(PRACTICE, self.server.candidates(PRACTICE)[11])
        articles = self.browser.find_elements(By.CSS_SELECTOR, "article[data-kind]")
        index = next(i for i, a in enumerate(articles) if a.get_attribute("data-kind") == "true-false")
        self.by_id(f"nav-{index}").click()
        self.wait(lambda: self.by_id(f"q-{index}").is_displayed())
        self.by_id(f"q-{index}").find_elements(By.CSS_SELECTOR, "table.true-false input[value='Đ']")[0].click()
        nav = self.by_id(f"nav-{index}")
        self.wait(lambda: "partial" in nav.get_attribute("class").split())
        self.assertNotIn("answered", nav.get_attribute("class").split())
        self.wait(lambda: "chưa trả lời đủ" in self.by_id(f"q-{index}").text)
        self.by_id("submit").click()
        self.visible("dialog")
        partial = self.by_id("dialog-partial")
        self.assertIn("Chưa trả lời đủ", partial.text)
        self.assertRegex(partial.text, r"Phần|câu")
        partial.find_element(By.CSS_SELECTOR, "a.goto").click()
        self.wait(lambda: self.by_id("dialog").get_attribute("hidden") is not None)
        self.assertTrue(self.by_id(f"q-{index}").is_displayed(), "the link did not open the question")
        # Letters in a 2025 short answer are never stored nor counted as an answer.
        numeric = next(i for i, a in enumerate(articles) if a.get_attribute("data-kind") == "numeric"
                       and a.find_elements(By.CSS_SELECTOR, "input.numeric[maxlength]"))
        self.by_id(f"nav-{numeric}").click()
        box = self.wait(lambda: self.by_id(f"q-{numeric}").find_element(By.CSS_SELECTOR, "input.numeric"))
        box.send_keys("1a")
        self.wait(lambda: "invalid" in box.get_attribute("class").split())
        self.browser.execute_script("return new Promise(r => setTimeout(r, 1500))")
        self.wait(lambda: "saved" in self.by_id("save-state").get_attribute("class").split())
        self.assertNotIn("answered", self.by_id(f"nav-{numeric}").get_attribute("class").split())
        self.assertIn("4", self.by_id(f"q-{numeric}").find_element(By.CSS_SELECTOR, ".hint").text)

    def test_the_login_page_says_which_field_is_missing(self):
        self.browser.get(self.server.url)
        self.assertEqual(Select(self.by_id("exam")).first_selected_option.get_attribute("value"), "", "with several exams open none is chosen")
        self.by_id("code").send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("error").is_displayed())
        self.assertIn("Chọn kỳ thi, nhập số báo danh và mã truy cập", self.by_id("error").text)
        Select(self.by_id("exam")).select_by_value(PRACTICE)
        self.by_id("sbd").send_keys("0001" + Keys.ENTER)
        self.wait(lambda: self.by_id("error").text == "Nhập mã truy cập (in trên phiếu dự thi).")
        self.assertEqual(self.by_id("code").get_attribute("aria-invalid"), "true")
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "code")

    def test_the_test_page_fits_a_phone(self):
        self.browser.set_window_size(360, 640)
        self.candidate_login(PRACTICE, self.server.candidates(PRACTICE)[12])
        for index in range(len(self.browser.find_elements(By.CSS_SELECTOR, "article[data-kind]"))):
            self.browser.execute_script(f"document.getElementById('nav-{index}').click()")
            self.wait(lambda: self.by_id(f"q-{index}").is_displayed())
            width = self.browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            self.assertLessEqual(width[0], width[1], f"question {index + 1} is wider than the phone")
        self.assertTrue(self.by_id("submit").is_displayed() and self.by_id("timer").is_displayed())
        os.makedirs(SHOTS, exist_ok=True)
        self.browser.save_screenshot(os.path.join(SHOTS, "test-page-360x640.png"))

    def test_proctor_reopens_a_mistaken_submit_and_later_collects_the_attempt(self):
        candidate = self.server.candidates(MATH)[9]
        self.candidate_login(MATH, candidate)
        self.by_id("submit").click()
        self.visible("dialog")
        self.by_id("dialog-yes").click()
        self.visible("result", timeout=30)
        candidate_tab = self.browser.current_window_handle

        row = self.proctor_tab(MATH, candidate)
        self.wait(lambda: row().find_elements(By.CSS_SELECTOR, "button.reopen"), message="no reopen button")
        row().find_element(By.CSS_SELECTOR, "input.reason").send_keys("Bấm nộp nhầm")
        row().find_element(By.CSS_SELECTOR, "button.reopen").click()
        self.wait(lambda: "Đã mở lại bài" in self.by_id("staff-message").text)
        self.wait(lambda: row().find_elements(By.CSS_SELECTOR, "button.force-submit"))

        self.browser.switch_to.window(candidate_tab)
        self.browser.get(self.server.url + "thi")
        self.visible("test")

        self.browser.switch_to.window(self.browser.window_handles[1])
        row().find_element(By.CSS_SELECTOR, "input.reason").send_keys("Hết giờ phòng thi")
        row().find_element(By.CSS_SELECTOR, "button.force-submit").click()
        self.wait(lambda: "Đã thu bài" in self.by_id("staff-message").text)
        self.browser.switch_to.window(candidate_tab)
        self.visible("result", timeout=40)

    def test_admin_adds_and_disables_an_account(self):
        self.sign_in("admin", "staff/people")
        self.visible("add-form")
        self.by_id("u-name").send_keys("cohoa")
        self.by_id("u-full").send_keys("Cô Hoa")
        Select(self.by_id("u-role")).select_by_value("proctor")
        self.by_id("add").click()
        self.wait(lambda: "cohoa" in self.by_id("password").text, message="no password shown")
        row = self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "tr[data-username=cohoa]"))[0]
        row.find_elements(By.TAG_NAME, "button")[0].click()
        self.wait(lambda: "đã khóa" in self.browser.find_element(By.CSS_SELECTOR, "tr[data-username=cohoa]").text)

    def test_admin_home_shows_the_server_status(self):
        self.sign_in("admin", "staff")
        self.visible("system")
        facts = self.by_id("system-facts").text
        self.assertIn("Hoạt động bình thường", facts)
        self.assertIn("PostgreSQL" if os.environ.get("KHAOTHI_BROWSER_POSTGRES") else "SQLite", facts)
        self.assertRegex(facts, r"Dung lượng dữ liệu\s+[0-9.,]+ (KB|MB)")
        self.browser.execute_script("arguments[0].scrollIntoView()", self.by_id("system"))
        self.browser.save_screenshot(os.path.join(SHOTS, "staff-home-admin.png"))
        # Not for a proctor: the panel stays hidden and the route says 403.
        self.browser.get(self.server.url + "staff")
        self.browser.delete_all_cookies()
        self.sign_in("proctor", "staff")
        self.visible("staff-home")
        self.assertFalse(self.by_id("system").is_displayed())


if __name__ == "__main__":
    unittest.main()
