"""Real-browser tests of exam setup (issue: exam day in the browser): a coordinator creates an exam from the
pages, uploads a class list with two bad rows, sees them by row, fixes the file, prepares the exam and prints
the login slips of one room; a release while the session runs is refused until given a reason, then withdrawn;
an admin adds a staff account and disables it.
"""
import os
import tempfile
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

# The module's demo server: started before its tests, stopped after.
from support import BrowserTest, setUpModule, tearDownModule  # noqa: F401

PHYSICS_BANK = "Vật lí 12"
PHYSICS_BLUEPRINT = "Vật lí 12 — đề theo mẫu 2025"
MATH = "Demo — Toán 12 (mẫu 2025)"


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

        self.by_id("prepare").click()
        self.visible("prepare-yes").click()
        self.visible("prepared-tools")
        self.wait(lambda: all(cell.text for cell in self.browser.find_elements(By.CSS_SELECTOR, "#candidates tr td:nth-child(5)")), message="no SBD")
        self.visible("slips-link").click()
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


if __name__ == "__main__":
    unittest.main()
