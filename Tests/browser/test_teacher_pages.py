"""Real-browser tests of the teachers' pages (issue: teachers in the browser): import by upload with a
mistake named by its line, the editor's live preview, bulk classification, the ma trận editor's shortfalls,
four exam codes printed to PDF by Chromium, restoring an earlier revision.
"""
import base64
import io
import os
import tempfile
import unittest
import zipfile
from xml.sax.saxutils import escape

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from support import BrowserTest, cli, setUpModule, tearDownModule, tex  # noqa: F401 (unittest calls the module hooks)

MATH_BANK = "Toán 12"
MATH_BLUEPRINT = "Toán 12 — đề theo mẫu 2025"


def docx(paragraphs):
    """A minimal Word file: each paragraph a list of (text, bold) runs."""
    body = []
    for runs in paragraphs:
        xml = "".join(("<w:r><w:rPr><w:b/></w:rPr>" if bold else "<w:r>") + f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>' for text, bold in runs)
        body.append(f"<w:p>{xml}</w:p>")
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + "".join(body) + "</w:body></w:document>")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)
    return out.getvalue()


def azota_paragraphs(with_key_for_second):
    """Three questions, the key marked in bold as teachers do in Word; without the fix, question 2 has none."""
    return [
        [("PHẦN I. Trắc nghiệm", False)],
        [("Câu 1. Đơn vị của lực là", False)],
        [("A. Jun", False)], [("B. Niutơn", True)], [("C. Oát", False)], [("D. Pascal", False)],
        [("Câu 2. Công thức động năng là", False)],
        [("A. $mv$", False)], [("B. $\\frac{1}{2}mv^2$", with_key_for_second)], [("C. $mgh$", False)], [("D. $Fs$", False)],
        [("Câu 3. Gia tốc rơi tự do gần Trái Đất xấp xỉ", False)],
        [("A. 9,8 m/s²", True)], [("B. 1 m/s²", False)], [("C. 98 m/s²", False)], [("D. 0,98 m/s²", False)],
    ]


class TeacherTest(BrowserTest):
    def write(self, name, data):
        folder = tempfile.mkdtemp(prefix="khaothi-upload-")
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def dry_run(self, path):
        self.by_id("reset").click()
        self.by_id("files").send_keys(path)
        self.wait(lambda: os.path.basename(path) in self.by_id("file-list").text)
        self.by_id("check").click()
        self.visible("report", timeout=30)

    def open_editor(self, question_id, bank=MATH_BANK):
        self.browser.get(self.server.url + "staff/question?bank=" + bank.replace(" ", "%20") + "&id=" + question_id)
        self.wait(lambda: question_id in self.by_id("editor-heading").text)
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, "#preview .stem"))

    def test_a_word_file_with_a_mistake_is_named_by_its_line_then_fixed_and_imported(self):
        self.sign_in("teacher", "staff/import")
        self.visible("import-form")
        Select(self.by_id("target")).select_by_value("")
        self.by_id("new-name").send_keys("Vật lí 10 — từ Word")
        self.by_id("subject").send_keys("Vật lí")
        self.dry_run(self.write("de-li.docx", docx(azota_paragraphs(False))))
        problems = self.by_id("problem-list").text
        # Paragraph 7 is "Câu 2": the question without a key is named with its place.
        self.assertIn("de-li.docx:7: Câu 2: chưa có đáp án", problems)
        self.assertFalse(self.by_id("run-all").is_enabled(), "all-or-nothing is refused while a question is wrong")
        self.assertTrue(self.by_id("run-partial").is_displayed())
        self.browser.save_screenshot(os.path.join(tempfile.gettempdir(), "khaothi-import-problem.png"))

        self.dry_run(self.write("de-li.docx", docx(azota_paragraphs(True))))
        self.assertFalse(self.by_id("problem-box").is_displayed())
        self.assertIn("3", self.by_id("summary").text)
        self.by_id("run-all").click()
        self.visible("done", timeout=30)
        self.assertIn("3", self.by_id("done-text").text)
        self.assertTrue(self.by_id("done-unclassified").is_displayed(), "a plain Word file imports unclassified")
        self.by_id("done-link").click()
        self.wait(lambda: self.by_id("total").text.startswith("3 "))
        keys = [k.text for k in self.browser.find_elements(By.CSS_SELECTOR, "#rows .key")]
        self.assertEqual(sorted(keys), ["Đáp án: A", "Đáp án: B", "Đáp án: B"])

    def test_editing_a_formula_changes_the_preview_and_saves_a_revision(self):
        self.sign_in("teacher", "staff/banks")
        self.open_editor("toan12-hs-01")
        stem = self.by_id("stem")
        stem.send_keys(Keys.CONTROL, "a")
        stem.send_keys("Tính $\\dfrac{3}{4} + x^2$ tại $x = 1$.")
        self.wait(lambda: "\\dfrac{3}{4} + x^2" in tex(self.browser.find_element(By.CSS_SELECTOR, "#preview .stem")), message="the preview did not change")
        self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "#preview .stem .katex"), "the formula is drawn by KaTeX")
        self.assertEqual(self.by_id("save-state").text, "Chưa lưu")
        # ExamCore's rules as the teacher types: an empty option is named at once.
        first = self.browser.find_element(By.CSS_SELECTOR, "#body-fields .list-row textarea")
        original = first.get_attribute("value")
        first.send_keys(Keys.CONTROL, "a")
        first.send_keys(Keys.DELETE)
        self.wait(lambda: self.by_id("problems").is_displayed(), message="an empty option is not named")
        first.send_keys(original)
        self.wait(lambda: not self.by_id("problems").is_displayed())
        self.by_id("save").click()
        self.wait(lambda: "r2" in self.by_id("save-state").text or "r2" in self.by_id("editor-facts").text)
        self.wait(lambda: "r2 (hiện hành)" in self.by_id("history").text)
        self.assertIn("nội dung", self.by_id("history").text, "the history names what changed")

    def test_restoring_an_earlier_revision_makes_a_new_one(self):
        self.sign_in("teacher", "staff/banks")
        self.open_editor("toan12-hs-02")
        original = self.by_id("stem").get_attribute("value")
        self.by_id("stem").send_keys(" (đã sửa)")
        self.by_id("save").click()
        self.wait(lambda: "r2 (hiện hành)" in self.by_id("history").text)
        # r1's "Xem" shows it; its "Khôi phục" makes r3 with r1's text.
        entries = self.browser.find_elements(By.CSS_SELECTOR, "#history li")
        oldest = entries[-1]
        oldest.find_element(By.XPATH, ".//button[normalize-space()='Xem']").click()
        self.visible("revision-view")
        oldest.find_element(By.XPATH, ".//button[normalize-space()='Khôi phục']").click()
        self.browser.switch_to.alert.accept()
        self.wait(lambda: "r3 (hiện hành)" in self.by_id("history").text)
        self.assertEqual(self.by_id("stem").get_attribute("value"), original)
        self.by_id("history").find_element(By.XPATH, ".//li[1]//button[normalize-space()='Xem']").click()
        self.wait(lambda: "(đã sửa)" in self.by_id("revision-view").find_element(By.CSS_SELECTOR, "table.diff").text, message="the diff shows the removed words")

    def test_unclassified_questions_are_classified_in_bulk(self):
        aiken = self.write("on-tap.txt", ("Thủ đô của Việt Nam là\nA. Huế\nB. Hà Nội\nANSWER: B\n\n"
                                          "Sông dài nhất chảy qua Việt Nam là\nA. Sông Hồng\nB. Sông Mê Kông\nANSWER: B\n").encode("utf-8"))
        cli("bank", "import", aiken, "--bank", "Địa lí — ôn tập", "--subject", "Địa lí", "--owner", "giaovien", "--visibility", "private", "--db", self.server.db)
        self.sign_in("teacher", "staff/banks?bank=%C4%90%E1%BB%8Ba%20l%C3%AD%20%E2%80%94%20%C3%B4n%20t%E1%BA%ADp&unclassified=true")
        self.wait(lambda: self.by_id("total").text.startswith("2 "))
        self.by_id("select-all-page").click()
        self.visible("bulk")
        self.by_id("b-topic").send_keys("Địa lí Việt Nam")
        Select(self.by_id("b-level")).select_by_value("nhan-biet")
        self.by_id("b-classify").click()
        self.wait(lambda: "2 câu đã đổi" in self.by_id("notice").text)
        self.wait(lambda: self.by_id("total").text.startswith("0 "))
        Select(self.by_id("f-unclassified")).select_by_value("")
        self.wait(lambda: self.by_id("total").text.startswith("2 "))
        self.assertIn("Địa lí Việt Nam", self.by_id("rows").text)

    def test_a_blueprint_shows_its_shortfall_then_is_filled_and_previewed(self):
        self.sign_in("teacher", "staff/blueprints")
        self.visible("new-blueprint").click()
        self.visible("editor")
        self.by_id("bp-name").send_keys("Kiểm tra 15 phút — đạo hàm")
        self.by_id("bp-subject").send_keys("Toán")
        Select(self.by_id("bp-bank")).select_by_value(MATH_BANK)
        self.by_id("new-topic").send_keys("Ứng dụng đạo hàm để khảo sát hàm số")
        self.by_id("add-row").click()
        cell = self.wait(lambda: self.browser.find_element(By.CSS_SELECTOR, "#grid input.count"))
        cell.send_keys("60")
        self.wait(lambda: "short" in cell.find_element(By.XPATH, "..").get_attribute("class"), message="the short cell is not flagged")
        self.assertIn("cần 60", self.by_id("shortfalls").text)
        available = int(cell.find_element(By.XPATH, "../span[@class='have']").text.strip("/"))
        self.assertGreater(available, 2)
        cell.send_keys(Keys.CONTROL, "a")
        cell.send_keys("4")
        self.by_id("bp-max").send_keys(Keys.CONTROL, "a")
        self.by_id("bp-max").send_keys("1")
        self.wait(lambda: "short" not in cell.find_element(By.XPATH, "..").get_attribute("class"))
        self.wait(lambda: not self.by_id("bp-problems").is_displayed(), message="the blueprint should be complete now")
        self.assertIn("1 / 1", self.by_id("totals").text.replace(",00", ""))
        # The bản đặc tả of the focused cell is kept with it.
        cell.click()
        self.visible("spec-text").send_keys("Nhận biết khoảng đơn điệu từ bảng biến thiên.")
        self.by_id("bp-save").click()
        self.wait(lambda: "Đã lưu ma trận" in self.by_id("notice").text)
        self.by_id("bp-preview").click()
        self.visible("paper-preview", timeout=30)
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#paper .paper-item")), 4)

    def test_four_codes_are_generated_and_printed_to_pdf(self):
        self.sign_in("teacher", "staff/print")
        self.visible("print-form")
        self.by_id("p-name").send_keys("Giữa kỳ I — Toán 12")
        Select(self.by_id("p-blueprint")).select_by_value(MATH_BLUEPRINT)
        Select(self.by_id("p-bank")).select_by_value(MATH_BANK)
        self.by_id("p-count").clear()
        self.by_id("p-count").send_keys("4")
        self.by_id("p-school").send_keys("Trường THPT Chu Văn An")
        self.by_id("generate").click()
        self.wait(lambda: "Đã tạo 4 đề" in self.by_id("notice").text, timeout=60)
        self.browser.find_element(By.XPATH, "//tbody[@id='sets']//a[normalize-space()='Mọi mã đề']").click()
        self.wait(lambda: self.browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1", timeout=30)
        papers = self.browser.find_elements(By.CSS_SELECTOR, "#papers .paper")
        self.assertEqual([p.get_attribute("data-code") for p in papers], ["101", "102", "103", "104"])
        self.assertTrue(self.browser.find_elements(By.CSS_SELECTOR, "#papers .katex"), "formulas are typeset for print")
        # Chromium prints the view to PDF (DevTools' Page.printToPDF, what --print-to-pdf runs), with the page's
        # own @page size: A4 pages, every code, its header.
        pdf = base64.b64decode(self.browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"])
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(pdf))
        self.assertGreaterEqual(len(reader.pages), 4)
        text = "\n".join(page.extract_text() for page in reader.pages)
        flat = " ".join(text.split())
        for code in ["101", "102", "103", "104"]:
            self.assertIn("Mã đề " + code, flat)
        self.assertIn("TRƯỜNG THPT CHU VĂN AN", text.upper())
        self.assertIn("PHẦN I.", flat)
        self.assertNotIn("PHẦN I. Phần I", flat, "a part's own title is not repeated")
        width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
        self.assertAlmostEqual(width / height, 210 / 297, places=2)
        # The key table for every code.
        self.by_id("key").click()
        table = self.wait(lambda: self.browser.find_element(By.CSS_SELECTOR, ".key-table"))
        self.assertEqual(len(table.find_elements(By.CSS_SELECTOR, "thead th")), 5)


if __name__ == "__main__":
    unittest.main()
