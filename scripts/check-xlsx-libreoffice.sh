#!/usr/bin/env bash
# Checks that the XLSX files khaothi writes open in LibreOffice, and that khaothi reads what LibreOffice
# writes. Needs LibreOffice Calc: apt-get install -y --no-install-recommends libreoffice-calc-nogui
set -euo pipefail
cd "$(dirname "$0")/.."
command -v soffice >/dev/null || { echo "LibreOffice (soffice) is not installed: apt-get install -y --no-install-recommends libreoffice-calc-nogui"; exit 2; }
swift build --product khaothi >/dev/null
K=.build/debug/khaothi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work"   # LibreOffice writes its profile under HOME

$K bank template --format xlsx --out "$work/mau.xlsx" >/dev/null
$K bank import QuestionBanks/lich-su-12/lich-su-12.yaml --db "$work/k.sqlite" >/dev/null
$K bank export --bank "Lịch sử 12" --format xlsx --out "$work/lichsu.xlsx" --db "$work/k.sqlite" >/dev/null

for name in mau lichsu; do
  # 76 = UTF-8 in LibreOffice's CSV filter options.
  soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' --outdir "$work/csv" "$work/$name.xlsx" >/dev/null 2>&1
  csv="$work/csv/$name.csv"
  [ -s "$csv" ] || { echo "FAIL: LibreOffice did not open $name.xlsx"; exit 1; }
  head -1 "$csv" | grep -q '^ID,Phần,Dạng,Môn,Lớp,Chủ đề' || { echo "FAIL: $name.xlsx header as LibreOffice reads it: $(head -1 "$csv")"; exit 1; }
  $K bank validate "$csv" >/dev/null || { echo "FAIL: khaothi cannot read LibreOffice's CSV of $name.xlsx"; $K bank validate "$csv"; exit 1; }
  # And the other way: LibreOffice re-saves the workbook; khaothi must read its XLSX.
  soffice --headless --convert-to xlsx --outdir "$work/resaved" "$work/$name.xlsx" >/dev/null 2>&1
  $K bank validate "$work/resaved/$name.xlsx" >/dev/null || { echo "FAIL: khaothi cannot read LibreOffice's XLSX of $name"; $K bank validate "$work/resaved/$name.xlsx"; exit 1; }
  echo "ok: $name.xlsx opens in LibreOffice ($(($(wc -l < "$csv") - 1)) rows) and LibreOffice's files read back"
done

# The results workbook (issue: results): title rows, the header, Vietnamese text, every candidate's state.
$K demo --no-serve --db "$work/demo/demo.sqlite" >/dev/null
exam="Demo — Làm quen (mọi dạng câu hỏi)"
$K exam results "$exam" --format xlsx --out "$work/ketqua.xlsx" --db "$work/demo/demo.sqlite"
soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' --outdir "$work/csv" "$work/ketqua.xlsx" >/dev/null 2>&1
csv="$work/csv/ketqua.csv"
[ -s "$csv" ] || { echo "FAIL: LibreOffice did not open ketqua.xlsx"; exit 1; }
head -1 "$csv" | grep -q "^Kết quả: $exam" || { echo "FAIL: ketqua.xlsx title as LibreOffice reads it: $(head -1 "$csv")"; exit 1; }
sed -n 3p "$csv" | grep -q '^SBD,Mã học sinh,Họ và tên,Lớp,Phòng,Ca thi,Mã đề' || { echo "FAIL: ketqua.xlsx header: $(sed -n 3p "$csv")"; exit 1; }
[ "$(grep -c ',chưa thi,' "$csv")" -eq 40 ] || { echo "FAIL: ketqua.xlsx should list 40 candidates not yet started"; exit 1; }
echo "ok: ketqua.xlsx opens in LibreOffice with its title, header and 40 candidates"


# An exam's item analysis as `khaothi export stats` writes it (no attempt yet: the test's figures only).
$K export stats "$exam" --out "$work/thongke.xlsx" --db "$work/demo/demo.sqlite" >/dev/null
soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' --outdir "$work/csv" "$work/thongke.xlsx" >/dev/null 2>&1
csv="$work/csv/thongke.csv"
head -1 "$csv" | grep -q '^Câu,Mã câu hỏi,Dạng,Điểm tối đa,Số bài,Độ khó (facility)' || { echo "FAIL: thongke.xlsx header: $(head -1 "$csv")"; exit 1; }
grep -q '^Hệ số alpha' "$csv" || { echo "FAIL: thongke.xlsx has no test figures"; exit 1; }
echo "ok: thongke.xlsx opens in LibreOffice"
